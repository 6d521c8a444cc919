"""`case-swarm demo`: a whole swarm, played against the local Slack stand-in, printed as people see it.

Nothing to install or configure: the stand-in (a real HTTP Slack Web API), the real bot on a free port
and a temporary SQLite database. It seeds realistic cases, people (English and Korean speakers) and an
expert directory, then: the agent runs `/swarm`, experts reply in threads (one edits, one deletes),
the notes reach the case record (meanwhile: a swarm from an alert, an offer of a swarm at work, a late
joiner's catch-up, a swarm in a thread of a team channel), someone marks the resolution, the owner
closes the swarm, the bot drafts a knowledge article, and the manager opens the App Home. Each step
prints what the agent, the channel and the case record show.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import textwrap
from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy import select

from bot.demo import swarming
from bot.demo.standin_run import StandInRun, start_standin_run
from bot.views.home import home_as_text
from swarms.db import make_engine, make_session_factory, upgrade
from swarms.models import Case, LocalCaseNote
from swarms.settings import Settings

WIDTH = 100
DRAFT_SETTLE = 60.0  # the first ranking and the first draft of a process load the Korean models
PEOPLE = {"dana": "U0DANA0001", "jiwoo": "U0JIWOO001", "minho": "U0MINHO001", "sam": "U0SAM00001",
          "mira": "U0MIRA0001"}
CASES = [
    dict(number="00001026", subject="Inverter shows E-21 after firmware update", status="New", priority="High",
         product="SolarMax 5000", account="Hanbit Energy", owner="Dana Agent", contact_name="Min-ji Park",
         contact_email="minji.park@example.com",
         description="Since the FW 3.2 update last night the inverter trips with E-21 every hour. "
                     "Customer callback: +82 10-1234-5678."),
    dict(number="00001027", subject="문의: 배터리 충전이 80%에서 멈춥니다", status="Open", priority="Medium",
         product="PowerWall K", account="한빛에너지", owner="김지우", contact_name="박서준",
         description="안녕하세요, 박서준 대리님 고객님 문의입니다. BMS 로그 첨부합니다. "
                     "펌웨어 1.4.2 이후 충전이 80%에서 멈춥니다. 연락처 010-9876-5432."),
    dict(number="00001028", subject="Modbus TCP gateway drops connection every 10 minutes", status="Open",
         priority="Medium", product="GridLink GW", account="Solaria GmbH"),
]


_DATE = re.compile(r"<!date\^(\d+)\^[^|>]*(?:\|([^>]*))?>")


def _render_date(match: re.Match) -> str:
    """`<!date^1795430000^{date_short} {time}|fallback>` as a reader sees it (in UTC here)."""
    return datetime.fromtimestamp(int(match.group(1)), UTC).strftime("%Y-%m-%d %H:%M UTC")


def run_demo(*, keep: bool = False, database_url: str = "", socket_mode: bool = False, lang: str = "en") -> int:
    logging.basicConfig(level=logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="case-swarm-demo-"))
    url = database_url or f"sqlite:///{folder / 'demo.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for case in CASES:
            if session.scalar(select(Case.id).where(Case.number == case["number"])) is None:
                session.add(Case(**case))
    knowledge = folder / "knowledge"
    settings = Settings.from_env({"MANAGER_USER_IDS": PEOPLE["mira"], "EXPERTS_INVITE_MODE": "ask",
                                  "SWARM_ARCHIVE_DAYS": "7", "KNOWLEDGE_EXPORT": "folder",
                                  "KNOWLEDGE_FOLDER": str(knowledge), "DEFAULT_LANGUAGE": lang},
                                 needs_slack=False)
    swarming.seed_history(sessions)
    run = start_standin_run(sessions, settings=settings, socket_mode=socket_mode)
    try:
        _show_connection(run)
        people = _seed_people(run, lang)
        _seed_directory(run, people)
        _play(run, people, sessions)
        _tune(run, people)
    finally:
        run.stop()
        engine.dispose()
        if keep:
            print(f"\nThe demo database is kept at {url}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


# name: (real name, timezone, locale, title); each is name@hanbit.example
DEMO_PEOPLE = {
    "dana": ("Dana Agent", "America/New_York", "en-US", "Support agent"),
    "jiwoo": ("김지우", "Asia/Seoul", "ko-KR", "Inverter firmware engineer"),
    "minho": ("이민호", "Asia/Seoul", "ko-KR", "Battery systems"),
    "sam": ("Sam Field", "Europe/Berlin", "en-GB", "Field service"),
    "mira": ("Mira Manager", "Asia/Seoul", "en-US", "Support manager"),
}


def _seed_people(run: StandInRun, lang: str = "en") -> dict[str, str]:
    """`--lang ko`: the agent and the manager work in Korean too, so the whole story is told in Korean."""
    def locale_of(name: str, locale: str) -> str:
        return "ko-KR" if lang == "ko" and name in ("dana", "mira") else locale

    return {name: run.workspace.add_user(name, id=PEOPLE[name], real_name=real_name, email=f"{name}@hanbit.example",
                                         tz=tz, locale=locale_of(name, locale), title=title)
            for name, (real_name, tz, locale, title) in DEMO_PEOPLE.items()}


def _seed_directory(run: StandInRun, people: dict[str, str]) -> None:
    """The stand-in workspace's expert directory, as `case-swarm experts import experts.yaml` would fill it."""
    try:
        from expert_finder.models import ExpertProfile, Skill, WorkingHours
        from swarms.experts.directory import import_directory
    except ImportError:
        return
    always = WorkingHours(timezone="UTC", start=time(0), end=time(23, 59), days=frozenset(range(7)))
    profiles = [
        ExpertProfile(people["jiwoo"], "김지우", (Skill("inverter firmware", 5), Skill("E-21 error codes", 4)),
                      ("SolarMax 5000",), ("ko", "en"), always),
        ExpertProfile(people["minho"], "이민호", (Skill("배터리 BMS", 5), Skill("충전 제어", 4)),
                      ("PowerWall K",), ("ko",), always),
        ExpertProfile(people["sam"], "Sam Field", (Skill("DC isolation measurement", 4), Skill("Modbus TCP", 3)),
                      ("SolarMax 5000", "GridLink GW"), ("en",), always),
    ]
    with run.services.sessions.begin() as session:
        import_directory(session, run.workspace.team_id, profiles, now=datetime.now(UTC))


def _play(run: StandInRun, people: dict[str, str], sessions) -> None:
    ws, driver = run.workspace, run.driver
    dana, jiwoo, sam = people["dana"], people["jiwoo"], people["sam"]

    _title("1. Dana (support agent) types /swarm 00001026 in #general")
    ack = driver.command("/swarm", "00001026", user=dana, channel=ws.general_id)
    run.settle(timeout=DRAFT_SETTLE)  # the first ranking of a process loads the Korean morphology model
    print(f"Slack got the bot's acknowledgement in {ack.elapsed * 1000:.0f} ms (limit 3,000 ms).")
    _show_answers(run, dana, "What Dana sees (only to her)")
    channel = next(c for c in ws.channels() if c.name.startswith("swarm-00001026"))
    print(f"\nPrivate channel #{channel.name} · members: {', '.join(_names(run, ws.members(channel.id)))}")
    _show_channel(run, channel.id)

    _title("2. Dana clicks Invite all: each expert gets a DM asking them to join, and joins")
    seen = len(ws.messages(channel.id))
    suggestions = next(m for m in ws.messages(channel.id) if "experts.invite_all" in str(m.get("blocks")))
    driver.block_action("experts.invite_all", user=dana, channel=channel.id, message_ts=suggestions["ts"])
    run.settle()
    _show_answers(run, dana, "What Dana sees (only to her)", last=1)
    print("\nThe suggestions message, updated for everyone in the channel (its buttons used):")
    print(_indent(run, _blocks_text(ws.message(channel.id, suggestions["ts"]).get("blocks") or [])))
    for person in (jiwoo, sam):
        dm_channel = ws.im_channel(person)
        ask = next((m for m in ws.messages(dm_channel) if "experts.join" in str(m.get("blocks"))), None) \
            if dm_channel else None
        if ask is None:
            continue
        print(f"\nThe DM {_names(run, [person])[0]} gets, in their language:")
        print(_indent(run, _blocks_text(ask.get("blocks") or []) or ask.get("text", "")))
        driver.block_action("experts.join", user=person, channel=dm_channel, message_ts=ask["ts"])
    run.settle()
    print(f"\nMembers now: {', '.join(_names(run, ws.members(channel.id)))}")
    _show_channel(run, channel.id, since=seen)
    for person in (jiwoo, sam):  # should a DM not have come through, the demo goes on with them in the channel
        if person not in ws.members(channel.id):
            ws.join(channel.id, person)

    _title("3. Experts reply in the card's thread (one edits, one deletes a message)")
    card_ts = ws.messages(channel.id)[0]["ts"]
    driver.user_posts(jiwoo, channel.id, "E-21은 DC 절연 저항 경고입니다. FW 3.2에서 임계값이 1 MΩ으로 올라갔어요.",
                      thread_ts=card_ts)
    cause = driver.user_posts(sam, channel.id, "Measured on site: isolation 0.8 MΩ on string 2 after rain, "
                                               "so FW 3.2 now trips where 3.1 didn't.", thread_ts=card_ts)
    wrong = driver.user_posts(dana, channel.id, "Customer's e-mail is minji.park@example.com", thread_ts=card_ts)
    fix = driver.user_posts(jiwoo, channel.id, "해결 방법:\n1. 인버터 설정 메뉴 열기\n2. ISO 임계값을 0.5 MΩ으로 변경\n"
                                               "3. 재부팅 후 E-21 사라지는지 확인", thread_ts=card_ts)
    driver.user_edits(sam, channel.id, cause["ts"], "Measured on site: isolation 0.8 MΩ on string 2 after rain, "
                                                    "so FW 3.2 trips where 3.1 didn't (threshold 1 MΩ).")
    driver.user_deletes(dana, channel.id, wrong["ts"])
    run.settle()
    _show_thread(run, channel.id, card_ts)
    _show_case_record(run, "00001026")
    _play_swarming(run, people, channel.id)

    _title("4. Marks: ✅ on the resolution, 💡 on the cause; Dana closes the swarm")
    noted = _case_note_count(sessions, "00001026")
    driver.user_reacts(dana, channel.id, fix["ts"], "white_check_mark")
    driver.user_reacts(dana, channel.id, cause["ts"], "bulb")
    run.settle()
    for message in ws.ephemerals(dana, channel.id)[-2:]:
        print(_indent(run, f"[only Dana sees] {message.get('text', '')}"))
    seen = len(ws.messages(channel.id))
    driver.command("/swarm", "close Lowered the ISO threshold to 0.5 MΩ; E-21 gone after reboot.", user=dana,
                   channel=channel.id)
    run.settle(timeout=DRAFT_SETTLE)
    _show_answers(run, dana, "What Dana sees", last=1)
    _show_channel(run, channel.id, since=seen)
    _show_case_record(run, "00001026", since=noted)

    _title("5. Dana reviews the draft (a preview of exactly what leaves) and publishes it to the knowledge folder")
    _publish_and_show(run, channel.id, dana, internal=("Dana Agent", "김지우", "Sam Field", "Min-ji Park", "00001026"))
    _korean_swarm(run, people)

    _title("6. Mira (manager) opens the App Home")
    driver.user_opens_home(people["mira"])
    run.settle()
    view = ws.home_view(people["mira"])
    print(_indent(run, home_as_text(view)) if view else "(no Home view published)")


def _tune(run: StandInRun, people: dict[str, str]) -> None:
    from bot.demo.tuning import play_tuning

    play_tuning(run.services.sessions, run.services.settings, run.workspace.team_id, people, _title)


def _korean_swarm(run: StandInRun, people: dict[str, str]) -> None:
    """A Korean swarm, with a false start and chat, publishes a Korean article: Korean headings, no names."""
    ws, driver = run.workspace, run.driver
    dana, jiwoo, minho = people["dana"], people["jiwoo"], people["minho"]
    _title("5b. A Korean swarm on 00001027 (a false start, thanks, marks) publishes a Korean article")
    driver.command("/swarm", "00001027", user=dana, channel=ws.general_id)
    run.settle()
    channel = next(c for c in ws.channels() if c.name.startswith("swarm-00001027"))
    for person in (jiwoo, minho):
        if person not in ws.members(channel.id):
            ws.join(channel.id, person)
    card_ts = ws.messages(channel.id)[0]["ts"]
    false_start = ((minho, "셀 불량일까요? 셀 전압부터 확인해 볼까요?"),
                   (jiwoo, "셀 전압은 모두 정상입니다. 불량 아니네요."))
    for person, text in false_start:
        driver.user_posts(person, channel.id, text, thread_ts=card_ts)
    cause = driver.user_posts(minho, channel.id, "원인은 1.4.2부터 배터리 보존 모드가 기본으로 켜져서 "
                                                 "80%에서 충전을 멈추는 것 때문입니다. 박서준 대리님께 설명드렸습니다.",
                              thread_ts=card_ts)
    fix = driver.user_posts(jiwoo, channel.id, "해결 방법:\n1. 앱에서 설정 > 배터리 열기\n2. 보존 모드 끄기\n"
                                               "3. 충전 상한을 100%로 변경", thread_ts=card_ts)
    driver.user_posts(dana, channel.id, "해결되었습니다 🙏 감사합니다!", thread_ts=card_ts)
    run.settle()
    _show_thread(run, channel.id, card_ts)
    driver.user_reacts(dana, channel.id, fix["ts"], "white_check_mark")
    driver.user_reacts(dana, channel.id, cause["ts"], "bulb")
    run.settle()
    driver.command("/swarm", "close 보존 모드를 끄고 충전 상한을 100%로 바꾸니 정상 충전됩니다.", user=dana,
                   channel=channel.id)
    run.settle(timeout=DRAFT_SETTLE)
    _publish_and_show(run, channel.id, dana, internal=("Dana Agent", "김지우", "이민호", "박서준", "00001027"))


def _publish_and_show(run: StandInRun, channel_id: str, user: str, *, internal: tuple[str, ...]) -> None:
    """The review message as the channel shows it, Publish, then the article file and what it leaves out."""
    ws = run.workspace
    draft = next(m for m in reversed(ws.messages(channel_id)) if "knowledge.publish" in str(m.get("blocks")))
    print("\nThe draft review in the channel:")
    print(_indent(run, _blocks_text(draft.get("blocks") or [])))
    before = {path.name for path in Path(run.services.settings.knowledge.folder).glob("*.md")}
    run.driver.block_action("knowledge.publish", user=user, channel=channel_id, message_ts=draft["ts"])
    run.settle()
    _show_channel(run, channel_id, since=len(ws.messages(channel_id)) - 1)
    for path in sorted(Path(run.services.settings.knowledge.folder).glob("*.md")):
        if path.name in before:
            continue
        article = path.read_text(encoding="utf-8")
        print(f"\n{path.name}:")
        print(_indent(run, article[:2500]))
        review_only = ("slack.com", "drafted automatically", "자동 추정", "Not found in the swarm",
                       "스웜에서 찾지 못했습니다", "Contributors", "기여자")
        leaked = [word for word in (*internal, *review_only) if word in article]
        print(f"\nLeft out of the article (names, the case, Slack links, review flags and prompts): "
              f"{'all of them' if not leaked else 'NOT ' + ', '.join(leaked)}")


def _play_swarming(run: StandInRun, people: dict[str, str], channel_id: str) -> None:
    _title("Meanwhile, a monitoring alert in #general: Sam uses the Swarm on this case shortcut on it")
    swarming.swarm_from_alert(run, people["sam"], lambda cid, heading: (
        print(f"\n{heading}"), _show_channel(run, cid, since=0)))

    _title("Meanwhile, Mira runs /swarm 00001029, a repeat report of E-21 after the firmware update")
    swarming.offer_existing(run, people["mira"], lambda user, heading: _show_answers(run, user, heading,
                                                                                         last=1))

    _title("Minho joins the E-21 swarm late: the catch-up only he sees")
    shown = swarming.late_joiner(run, channel_id, people["minho"])
    print(_indent(run, _blocks_text(shown.get("blocks") or []) or shown.get("text", "(no catch-up)")))

    _title("Meanwhile, in #support (a team channel), Dana runs /swarm 00001030 --thread: a swarm in a thread")
    support, card_ts = swarming.thread_swarm(run, people["dana"], people["sam"])
    _show_answers(run, people["dana"], "What Dana sees", last=1)
    _show_channel(run, support)
    _show_thread(run, support, card_ts)
    _show_case_record(run, swarming.THREAD_CASE["number"])


# ---------------------------------------------------------------- printing


def _show_connection(run: StandInRun) -> None:
    """How Slack reaches the bot in this run: signed HTTP requests, or envelopes over Socket Mode."""
    if run.standin.socket_mode is not None:
        print(f"Slack stand-in at {run.standin.api_url}; the bot opened its Socket Mode connection with the "
              f"app-level token (apps.connections.open, ws://127.0.0.1:{run.standin.socket_mode.port}/link/), "
              "no signing secret set.")
    else:
        print(f"Slack stand-in at {run.standin.api_url}; it sends signed requests to the bot at "
              f"{run.server.events_url}.")  # type: ignore[union-attr]


def _title(text: str) -> None:
    print("\n" + "═" * WIDTH + f"\n{text}\n" + "═" * WIDTH)


def _names(run: StandInRun, user_ids) -> list[str]:
    return [(run.workspace.user(u).real_name if run.workspace.user(u) else u) for u in user_ids]


def _show_answers(run: StandInRun, user: str, heading: str, last: int = 10) -> None:
    print(f"\n{heading}:")
    for response in run.standin.responses(user)[-last:]:
        payload = response["payload"]
        print(_indent(run, _blocks_text(payload.get("blocks") or []) or payload.get("text", "")))


def _show_channel(run: StandInRun, channel_id: str, since: int = 0) -> None:
    print("\nThe channel shows:")
    for message in run.workspace.messages(channel_id)[since:]:
        text = _blocks_text(message.get("blocks") or []) or message.get("text", "")
        print(_indent(run, f"[{_author(run, message)}] {text}"))


def _show_thread(run: StandInRun, channel_id: str, thread_ts: str) -> None:
    print("\nThe thread under the case card:")
    for message in run.workspace.replies(channel_id, thread_ts):
        edited = " (edited)" if message.get("edited") else ""
        print(_indent(run, f"[{_author(run, message)}]{edited} {message.get('text', '')}"))


def _author(run: StandInRun, message: dict) -> str:
    if message.get("bot_id"):
        return "case-swarm bot"
    user = run.workspace.user(message.get("user", ""))
    return user.real_name if user else message.get("user", "?")


def _case_note_count(sessions, number: str) -> int:
    with sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return len(session.scalars(select(LocalCaseNote.id).where(LocalCaseNote.case_id == case_id,
                                                                  LocalCaseNote.revises_id.is_(None))).all())


def _show_case_record(run: StandInRun, number: str, *, since: int = 0) -> None:
    with run.services.sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        notes = list(session.scalars(select(LocalCaseNote).where(LocalCaseNote.case_id == case.id,
                                                                 LocalCaseNote.revises_id.is_(None))
                                     .order_by(LocalCaseNote.id)))
    heading = "notes added since" if since else "notes"
    print(f"\nThe case record {number} (local case store) · status {case.status} · {heading}:")
    for note in notes[since:]:
        flag = " · RETRACTED" if note.retracted else ""
        print(_indent(run, f"internal note · {note.author_name}{flag}\n{note.body}"))


def _blocks_text(blocks: list[dict]) -> str:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section"):
            text = (block.get("text") or {}).get("text", "")
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":  # an Invite beside a suggestion: shown, so its going is seen
                text = f"{text}  [{(accessory.get('text') or {}).get('text', '')}]"
            if text.strip():
                lines.append(f"*{text}*" if kind == "header" else text)
            lines.extend(f"  {f.get('text', '')}" for f in block.get("fields") or [])
        elif kind == "context":
            lines.append("  " + " · ".join(e.get("text", "") for e in block.get("elements", []) if "text" in e))
        elif kind == "actions":
            labels = [(e.get("text") or {}).get("text", e.get("type", "")) for e in block.get("elements", [])]
            lines.append("  " + "  ".join(f"[{label}]" for label in labels))
        elif kind == "divider":
            lines.append("  " + "─" * 40)
    return "\n".join(lines)


_MENTION = re.compile(r"<@(U[A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_NAMES = {user_id: name for name, user_id in PEOPLE.items()}


def _channel_name(run: StandInRun, match: re.Match) -> str:
    """`<#C…>` or `<#C…|name>` as Slack shows it: the channel's name now (the label only if it is unknown)."""
    channel = run.workspace.channel(match.group(1))
    return "#" + (channel.name if channel is not None else match.group(2) or match.group(1))


def _indent(run: StandInRun, text: str) -> str:
    """Mentions of people and channels shown as names and dates as dates, as Slack renders them."""
    text = _MENTION.sub(lambda m: "@" + _NAMES.get(m.group(1), m.group(1)), text)
    text = _CHANNEL.sub(lambda m: _channel_name(run, m), text)
    text = _DATE.sub(_render_date, text)
    return textwrap.indent(text, "    │ ")
