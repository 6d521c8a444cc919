"""Reasons in words, English and Korean.

A plain dict of templates rather than the bot's message catalog, because expert_finder must not import
bot/. Slack mrkdwn bold (`*…*`) marks the matched skill or product.
"""

from __future__ import annotations

from expert_finder.models import Reason, Suggestion

SEPARATOR = " · "

LANGUAGE_LABELS = {
    "en": {"en": "English", "ko": "Korean", "ja": "Japanese", "de": "German", "fr": "French", "es": "Spanish"},
    "ko": {"en": "영어", "ko": "한국어", "ja": "일본어", "de": "독일어", "fr": "프랑스어", "es": "스페인어"},
}

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "skill_match": "skill *{skill}* {percent}% match",
        "product": "works on *{product}*",
        "history_one": "helped on 1 similar case, {when}",
        "history": "helped on {count} similar cases, latest {when}",
        "today": "today",
        "days_ago_one": "1 day ago",
        "days_ago": "{days} days ago",
        "load_none": "no active swarms",
        "load_one": "1 active swarm",
        "load": "{active} active swarms",
        "language": "speaks {language}",
        "outside_hours": "outside working hours ({timezone})",
        "at_limit": "at swarm limit ({active}/{max})",
        "declined_recently_one": "declined 1 recent invite",
        "declined_recently": "declined {count} recent invites",
        "requester": "opened the case",
        "member": "already in the swarm",
        "opted_out": "opted out of suggestions",
        "queue_account": "a shared queue account, never suggested",
    },
    "ko": {
        "skill_match": "스킬 *{skill}* {percent}% 일치",
        "product": "*{product}* 담당",
        "history_one": "비슷한 사례 1건 지원, {when}",
        "history": "비슷한 사례 {count}건 지원, 최근 {when}",
        "today": "오늘",
        "days_ago_one": "1일 전",
        "days_ago": "{days}일 전",
        "load_none": "진행 중인 스웜 없음",
        "load_one": "진행 중인 스웜 1개",
        "load": "진행 중인 스웜 {active}개",
        "language": "{language} 가능",
        "outside_hours": "근무 시간 외 ({timezone})",
        "at_limit": "스웜 한도 도달 ({active}/{max})",
        "declined_recently_one": "최근 초대 1건 거절",
        "declined_recently": "최근 초대 {count}건 거절",
        "requester": "사례 요청자",
        "member": "이미 스웜 참여 중",
        "opted_out": "추천 제외 요청",
        "queue_account": "공용 대기열 계정(추천하지 않음)",
    },
}


def _templates(lang: str) -> dict[str, str]:
    return TEMPLATES.get((lang or "en").split("-")[0].casefold(), TEMPLATES["en"])


def _when(days: int | None, t: dict[str, str]) -> str:
    if not days:
        return t["today"]
    return t["days_ago_one"] if days == 1 else t["days_ago"].format(days=days)


def _plural(kind: str, n: int, t: dict[str, str], **params) -> str:
    key = f"{kind}_one" if n == 1 and f"{kind}_one" in t else kind
    return t[key].format(**params)


def reason_text(reason: Reason, lang: str) -> str:
    """One reason in words; an unknown kind falls back to its name so nothing is silently dropped."""
    t = _templates(lang)
    p = reason.params
    kind = reason.kind
    if kind == "history":
        count = int(p.get("count", 0))
        return _plural("history", count, t, count=count, when=_when(p.get("days_ago"), t))
    if kind == "load":
        active = int(p.get("active", 0))
        return t["load_none"] if active == 0 else _plural("load", active, t, active=active)
    if kind == "declined_recently":
        return _plural(kind, int(p.get("count", 0)), t, count=p.get("count", 0))
    if kind == "language":
        code = str(p.get("language", "")).split("-")[0].casefold()
        labels = LANGUAGE_LABELS.get("ko" if t is TEMPLATES["ko"] else "en", {})
        return t["language"].format(language=labels.get(code, p.get("language", "")))
    if kind in t:
        try:
            return t[kind].format(**p)
        except (KeyError, IndexError):
            return kind
    return kind


def suggestion_line(s: Suggestion, lang: str) -> str:
    """All of a suggestion's reasons on one line, e.g. for a Block Kit context element."""
    return SEPARATOR.join(reason_text(r, lang) for r in s.reasons)
