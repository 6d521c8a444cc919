"""The demo's swarming steps: a swarm started from an alert, an offer of the swarm already at work, a
late joiner's catch-up, a quick swarm in a thread of a team channel, and the seeded history behind the
Home's swarmed/not-swarmed figures.

Separate from `bot/demo/walkthrough.py` so the story there stays readable; each step prints what people see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.demo.standin_run import StandInRun
from bot.views.existing_work import OfferAction
from bot.views.swarm_from_message import FromMessageAction, FromMessageBlock, FromMessageCallback
from swarms.db import utcnow
from swarms.models import Case, Swarm, SwarmStatus

# A repeat report of the demo's E-21 case, and closed cases of the last weeks (two of them swarmed).
REPEAT_CASE = dict(number="00001029", subject="E-21 error on inverter since firmware update", status="New",
                   priority="Medium", product="SolarMax 5000", account="Daesung Solar",
                   description="Customer updated to FW 3.2 and now sees E-21 several times a day.")
# A quick question, swarmed in a thread of the team's channel rather than in a channel of its own.
THREAD_CASE = dict(number="00001030", subject="Portal shows yesterday's yield under today", status="New",
                   priority="Low", product="Solar Portal", account="Hanbit Energy",
                   description="The daily yield graph is shifted by one day for a customer in Seoul.")
HISTORY = [  # (number, subject, hours to close, swarmed)
    ("00000901", "Inverter fan noise at night", 5, True),
    ("00000902", "Portal graph missing days", 30, True),
    ("00000903", "Warranty registration question", 3, False),
    ("00000904", "RFID card not accepted by charger", 52, False),
    ("00000905", "Battery not charging below 0°C", 75, False),
    ("00000906", "App login fails with 401", 26, False),
]


def seed_history(sessions) -> None:
    """Closed cases of the last weeks, for the manager's swarmed/not-swarmed comparison (and the open cases
    the swarming steps use)."""
    now = utcnow()
    with sessions.begin() as session:
        session.add(Case(**REPEAT_CASE))
        session.add(Case(**THREAD_CASE))
        for i, (number, subject, hours, swarmed) in enumerate(HISTORY):
            created = now - timedelta(days=3 + 2 * i, hours=hours)
            session.add(Case(number=number, subject=subject, status="Closed", created_at=created,
                             closed_at=created + timedelta(hours=hours)))
            if swarmed:
                session.add(Swarm(case_system="local", case_key=number, case_number=number, case_subject=subject,
                                  opened_by="U0DANA0001", status=SwarmStatus.ARCHIVED, opened_at=created,
                                  closed_at=created + timedelta(hours=hours)))


def swarm_from_alert(run: StandInRun, user: str, show: Callable[[str, str], None]) -> str:
    """A monitoring app's alert names a case; `user` starts its swarm from the alert. Returns the channel."""
    ws, driver = run.workspace, run.driver
    alert = ws.post_message(ws.general_id, user="", text="", extra={
        "bot_id": "B0WATCH001", "username": "SolarWatch", "subtype": "bot_message",
        "attachments": [{"title": "Gateway offline",
                         "text": "Solaria-3: Modbus TCP gateway lost 6 times today (case 00001028)"}]})
    run.settle()
    print("SolarWatch posts in #general: Gateway offline · Solaria-3: Modbus TCP gateway lost 6 times today "
          "(case 00001028)")
    driver.message_shortcut(FromMessageCallback.SHORTCUT, user=user, channel=ws.general_id, message_ts=alert["ts"])
    run.settle()
    modal = ws.modal_stack(user)[-1]
    found = next(b for b in modal["blocks"] if b.get("block_id") == FromMessageBlock.FOUND)
    print(f"The modal '{modal['title']['text']}' offers: "
          f"{', '.join(o['value'] for o in found['element']['options'])}")
    pick = found["element"]["initial_option"]
    driver.view_submission(modal["id"], user=user, values={
        FromMessageBlock.FOUND: {FromMessageAction.FOUND: {"type": "radio_buttons", "selected_option": pick}}})
    run.settle()
    channel = next(c for c in ws.channels() if c.name.startswith("swarm-00001028"))
    show(channel.id, "The new swarm's card, linked to the alert (the alert is also its first note):")
    return channel.id


def offer_existing(run: StandInRun, user: str, show_answers: Callable[[str, str], None]) -> None:
    """A repeat report: `/swarm` offers the swarm already at work on the same problem; they join it."""
    ws, driver = run.workspace, run.driver
    driver.command("/swarm", REPEAT_CASE["number"], user=user, channel=ws.general_id)
    run.settle()
    show_answers(user, "What they see instead of a new channel")
    offer = next(r["payload"] for r in reversed(run.standin.responses(user))
                 if OfferAction.JOIN in str(r["payload"].get("blocks")))
    join = next(b["accessory"] for b in offer["blocks"] if (b.get("accessory") or {}).get("action_id")
                == OfferAction.JOIN)
    driver.block_action(OfferAction.JOIN, user=user, channel=ws.general_id, message_ts="1.0", value=join["value"],
                        ephemeral=True)
    run.settle()
    show_answers(user, "After Join that swarm")


def late_joiner(run: StandInRun, channel_id: str, user: str) -> str:
    """`user` joins a swarm that has been talking for a while; returns the catch-up they read, as text."""
    run.workspace.join(channel_id, user)
    run.settle()
    shown = run.workspace.ephemerals(user, channel_id)
    return shown[-1] if shown else {}


def thread_swarm(run: StandInRun, agent: str, expert: str) -> tuple[str, str]:
    """`/swarm <case> --thread` in #support: the card is a message of the team channel and the swarm talks in
    its thread (no new channel); the expert's reply there becomes a case note. Returns (#support, card ts)."""
    ws, driver = run.workspace, run.driver
    support = ws.add_channel("support", members=[ws.bot_user_id, agent, expert])
    driver.command("/swarm", f"{THREAD_CASE['number']} --thread", user=agent, channel=support)
    run.settle()
    card = next(m for m in ws.messages(support) if THREAD_CASE["number"] in m.get("text", ""))
    driver.user_posts(expert, support, "The portal draws each day in UTC: setting the site's time zone to "
                                       "Asia/Seoul puts the yield on the right day.", thread_ts=card["ts"])
    run.settle()
    return support, card["ts"]
