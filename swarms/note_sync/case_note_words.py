"""The words of the notes the app itself writes into the case record, in the swarm's language.

The case record is read outside Slack, so these are not in the bot's message catalog; each note is
written once in the swarm's language (the language of whoever opened it, else the team's
DEFAULT_LANGUAGE), not in two languages glued together.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "retracted": {
        "en": "[Retracted] The Slack message by {author} was deleted in Slack.",
        "ko": "[삭제됨] {author} 님의 Slack 메시지가 Slack에서 삭제되었습니다.",
    },
    "closed": {"en": "[Swarm closed] Closed in Slack by {closer}.",
               "ko": "[스웜 종료] {closer} 님이 Slack에서 종료했습니다."},
    "closed.resolution": {"en": "Resolution: {summary}", "ko": "해결: {summary}"},
    "closed.credited": {"en": "Credited: {names}", "ko": "기여자: {names}"},
    "marked": {"en": "[Marked as {mark}] {user} marked a message by {author}:",
               "ko": "[{mark}(으)로 표시] {user} 님이 {author} 님의 메시지를 표시했습니다:"},
    "unmarked": {"en": "[Mark removed: {mark}] {user} took back the mark on a message by {author}:",
                 "ko": "[표시 취소: {mark}] {user} 님이 {author} 님의 메시지 표시를 취소했습니다:"},
    "archived_by_hand": {"en": "[Channel archived] {user} archived the swarm channel in Slack; the swarm is no "
                                "longer open.",
                         "ko": "[채널 보관됨] {user} 님이 Slack에서 스웜 채널을 보관했습니다. 스웜은 더 이상 열려 있지 "
                               "않습니다."},
    "mark.resolution": {"en": "resolution", "ko": "해결책"},
    "mark.cause": {"en": "cause", "ko": "원인"},
    "mark.key_note": {"en": "key note", "ko": "핵심 메모"},
}


def case_note(key: str, lang: str, **values: object) -> str:
    """The note text in `lang` (English when the swarm has no language of ours)."""
    forms = WORDS[key]
    return forms.get(lang, forms["en"]).format(**values)
