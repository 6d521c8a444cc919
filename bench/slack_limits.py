"""Slack as it really limits us: a support floor's burst of /swarm against the stand-in's rate tiers.

    python bench/slack_limits.py            # 60 openings in 30 s, a 100-post escalation wave, 1,000 notes
    python bench/slack_limits.py --json     # one JSON object of the figures
    python bench/slack_limits.py --swarms 20 --window 10 --wave 30 --notes 200   # shorter

What runs: the real bot (Bolt over HTTP, waitress) against the Slack stand-in with its tiers on
(`conversations.create` 20 a minute with a burst of 10, posts one a second per channel, ...). Agents
send signed `/swarm <case>` for `--swarms` different cases spread over `--window` seconds; meanwhile an
escalation wave of `--wave` posts goes into one swarm channel through the Slack queue (the app's
`post_later`), and experts write `--notes` thread notes in that channel, captured and synced to the
case record. Printed: the time until every swarm is open against what the tier allows (the least time
its `conversations.create` calls can take) and the ratio, 429s received, Slack calls per swarm opened
(by method), Slack calls per note captured, notes delivered, and whether any listener thread slept (on
Retry-After or otherwise) for a second or more. Then every swarm is closed within the window and its
channel archived 45 s later (SWARM_ARCHIVE_DAYS, short) while each agent opens their App Home three times
(bench/slack_closing.py): Slack calls per swarm closed, 429s, the time until every channel is archived,
and Home publishes per open. Ack p99 covers every command and event of both halves.

Targets (issue 18): all swarms open, none failed, none duplicated, within the tier's time + 20%;
ack p99 < 100 ms (HTTP); 0 notes lost; no listener thread sleeps on Retry-After.
`--socket-mode` plays the same over the stand-in's Socket Mode (target there: ack p99 < 200 ms).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, func, select

from bench.args import positive_int
from bench.slack_closing import close_all
from bot.demo.standin_run import start_standin_run
from bot.slack.later import post_later
from slack_standin import RateLimits
from slack_standin.rate_limits import POST_PER_CHANNEL, TIERS, seconds_for
from swarms.db import make_engine, make_session_factory, upgrade
from swarms.jobs.claimed_work import ClaimedWork, RateBucket, WorkState
from swarms.models import Case, LocalCaseNote, Swarm, SwarmStatus
from swarms.settings import Settings

TARGET_SLACK = 1.20
ARCHIVE_AFTER_S = 45.0  # the drafts are in their channels first (an archived channel takes no posts)
NOTE_METHODS = ("users.info", "conversations.info", "conversations.history", "conversations.replies",
                "chat.getPermalink", "users.profile.get")  # within what the tier allows + 20%
OPENING_METHODS = ("conversations.create", "conversations.invite", "chat.postMessage", "bookmarks.add", "pins.add",
                   "conversations.list", "conversations.setPurpose", "conversations.history")


class SleepWatch:
    """Records every time.sleep of a second or more made by a listener thread (named case-swarm*)."""

    def __init__(self) -> None:
        self.slept: list[tuple[str, float]] = []
        self._real = time.sleep

    def __enter__(self) -> SleepWatch:
        def watched(seconds: float) -> None:
            name = threading.current_thread().name
            if seconds >= 1.0 and name.startswith("case-swarm"):
                self.slept.append((name, seconds))
            self._real(seconds)

        time.sleep = watched
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep = self._real


def p99(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> dict:
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='slack-limits-')}/bench.sqlite3"
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    numbers = [f"{2000000 + n:08d}" for n in range(args.swarms + 1)]
    with sessions.begin() as session:
        session.add_all(Case(number=number, subject=f"Inverter fault {number}", status="New", priority="High",
                             product="SolarMax 5000") for number in numbers)
    # Look-alike cases would each be offered the others first (SWARM_OFFER_EXISTING): measure the opening itself.
    settings = Settings.from_env({"CASE_URL_TEMPLATE": "https://cases.example/{number}",
                                  "SWARM_OFFER_EXISTING": "false",
                                  "SWARM_ARCHIVE_DAYS": str(ARCHIVE_AFTER_S / 86400)}, needs_slack=False)
    run_ = start_standin_run(sessions, settings=settings, rate_limits=RateLimits(), socket_mode=args.socket_mode)
    try:
        return _measure(args, run_, sessions, numbers)
    finally:
        run_.stop()
        engine.dispose()


def _measure(args, run_, sessions, numbers: list[str]) -> dict:
    ws, driver, standin = run_.workspace, run_.driver, run_.standin
    agents = [ws.add_user(f"agent{n}", locale="en-US") for n in range(args.swarms)]
    experts = [ws.add_user(f"expert{n}", locale="ko-KR") for n in range(4)]
    # The escalation channel: one swarm opened before the burst, its experts in it.
    driver.command("/swarm", numbers[-1], user=agents[0], channel=ws.general_id)
    run_.settle(timeout=60)
    wave_channel = next(c.id for c in ws.channels() if c.name.startswith(f"swarm-{numbers[-1]}"))
    for expert in experts:
        ws.join(wave_channel, expert)
    run_.settle(timeout=60)
    thread_ts = ws.post_message(wave_channel, user=experts[0], text="Escalation thread")["ts"]
    run_.settle(timeout=60)
    calls_before = len(standin.calls())
    standin.api.rate_limits.reset()  # the burst starts with Slack's buckets as a quiet workspace has them
    with sessions.begin() as session:  # and with our pace as fresh (the escalation swarm's opening spent some)
        session.execute(delete(RateBucket))

    acks: list[float] = []
    start = time.monotonic()

    def open_all() -> None:
        gap = args.window / max(1, args.swarms)
        for n, number in enumerate(numbers[:-1]):
            result = driver.command("/swarm", number, user=agents[n], channel=ws.general_id)
            acks.append(result.elapsed)
            time.sleep(max(0.0, start + (n + 1) * gap - time.monotonic()))

    def wave() -> None:
        for n in range(args.wave):
            post_later(run_.services, ws.team_id, wave_channel, f":rotating_light: Escalation {n + 1} of {args.wave}")

    def notes() -> None:
        for n in range(args.notes):
            driver.user_posts(experts[n % len(experts)], wave_channel, f"Checked inverter log line {n}",
                              thread_ts=thread_ts)

    with SleepWatch() as watch:
        threads = [threading.Thread(target=job) for job in (open_all, wave, notes)]
        for thread in threads:
            thread.start()
        all_open_at, wave_done_at = _wait_done(sessions, ws, wave_channel, args, start)
        for thread in threads:
            thread.join()
        run_.settle(timeout=args.timeout)
        figures = _figures(args, run_, sessions, numbers, calls_before, all_open_at, wave_done_at, wave_channel)
        closing = close_all(run_, sessions, numbers[:-1], agents, window=args.window, timeout=args.timeout,
                            archive_after=ARCHIVE_AFTER_S)
    event_acks = [r.elapsed for r in standin.deliveries() if r.elapsed is not None]
    acks += closing.pop("acks")
    figures.update(closing)
    figures.update({
        "ack_p99_ms": round(1000 * p99(acks + event_acks), 1), "ack_p99_commands_ms": round(1000 * p99(acks), 1),
        "ack_p99_events_ms": round(1000 * p99(event_acks), 1), "acks": len(acks) + len(event_acks),
        "listener_sleeps_1s_or_more": len(watch.slept)})
    return figures


def _wait_done(sessions, ws, channel: str, args, start: float) -> tuple[float | None, float | None]:
    """When every swarm was open, and when the wave's last post was in its channel (None: not in time)."""
    all_open_at = wave_done_at = None
    while time.monotonic() - start < args.timeout and (all_open_at is None or wave_done_at is None):
        if all_open_at is None:
            with sessions() as session:
                opened = session.scalar(select(func.count()).select_from(Swarm)
                                        .where(Swarm.status == SwarmStatus.OPEN))
            if opened >= args.swarms + 1:  # the escalation swarm too
                all_open_at = time.monotonic() - start
        if wave_done_at is None and sum(1 for m in ws.messages(channel)
                                        if str(m.get("text", "")).startswith(":rotating_light:")) >= args.wave:
            wave_done_at = time.monotonic() - start
        time.sleep(0.2)
    return all_open_at, wave_done_at


def _figures(args, run_, sessions, numbers, calls_before, all_open_at, wave_done_at, wave_channel) -> dict:
    standin, ws = run_.standin, run_.workspace
    channels = Counter()
    for channel in ws.channels():
        for number in numbers[:-1]:
            if channel.name.startswith(f"swarm-{number}"):
                channels[number] += 1
    swarm_channels = {c.id for c in ws.channels() if c.name.startswith("swarm-") and c.id != wave_channel}
    calls = standin.calls()[calls_before:]
    per_method = Counter(method for method, values in calls if method in OPENING_METHODS
                         and (method == "conversations.create" or values.get("channel") in swarm_channels
                              or values.get("channel_id") in swarm_channels))
    cards = sum(1 for c in swarm_channels for m in ws.messages(c)
                if (m.get("metadata") or {}).get("event_type") == "case_swarm_card")
    with sessions() as session:
        opened = session.scalar(select(func.count()).select_from(Swarm).where(Swarm.status == SwarmStatus.OPEN)) - 1
        failed_work = session.scalar(select(func.count()).select_from(ClaimedWork)
                                     .where(ClaimedWork.state == WorkState.FAILED))
        delivered = session.scalar(select(func.count()).select_from(LocalCaseNote)
                                   .where(LocalCaseNote.body.like("%Checked inverter log line%")))
    # The last /swarm is typed at the end of the window: no queue can open it before then.
    # What capturing a note may cost in Slack: looking people and channels up (cached after the first).
    per_note = sum(1 for method, _ in calls if method in NOTE_METHODS)
    allowed = max(seconds_for(args.swarms, TIERS[2]), float(args.window))
    limited = standin.rate_limited()
    return {
        "swarms": args.swarms, "window_s": args.window, "opened": opened, "failed_work": failed_work,
        "duplicated_channels": sum(n - 1 for n in channels.values() if n > 1), "cards": cards,
        "all_open_s": round(all_open_at, 1) if all_open_at is not None else None,
        "tier_allows_s": round(allowed, 1),
        "ratio_to_tier": round(all_open_at / allowed, 3) if all_open_at and allowed else None,
        "wave_posts": args.wave, "wave_done_s": round(wave_done_at, 1) if wave_done_at is not None else None,
        "wave_allows_s": round(seconds_for(args.wave, POST_PER_CHANNEL), 1),
        "rate_limited_429": len(limited), "rate_limited_by_method": dict(Counter(r.method for r in limited)),
        "slack_calls_per_swarm": round(sum(per_method.values()) / max(1, args.swarms), 2),
        "slack_calls_per_swarm_by_method": {m: round(n / max(1, args.swarms), 2)
                                            for m, n in sorted(per_method.items())},
        "notes_sent": args.notes, "notes_delivered": delivered, "notes_lost": args.notes - delivered,
        "slack_calls_per_note": round(per_note / max(1, args.notes), 3),
        "mode": "socket" if args.socket_mode else "http",
    }


def table(figures: dict) -> str:
    ok_time = figures["ratio_to_tier"] is not None and figures["ratio_to_tier"] <= TARGET_SLACK
    rows = [
        ("swarms opened / asked", f"{figures['opened']} / {figures['swarms']}", figures["opened"] == figures["swarms"]),
        ("failed queue rows", figures["failed_work"], figures["failed_work"] == 0),
        ("duplicated channels / cards", f"{figures['duplicated_channels']} / {figures['cards']} cards",
         figures["duplicated_channels"] == 0 and figures["cards"] == figures["swarms"]),
        ("time until every swarm is open", f"{figures['all_open_s']} s", ok_time),
        ("what tier 2 allows (create)", f"{figures['tier_allows_s']} s (ratio {figures['ratio_to_tier']})", ok_time),
        ("escalation wave done / allowed", f"{figures['wave_done_s']} s / {figures['wave_allows_s']} s", None),
        ("429s received", f"{figures['rate_limited_429']} {figures['rate_limited_by_method']}", None),
        ("Slack calls per swarm", f"{figures['slack_calls_per_swarm']} {figures['slack_calls_per_swarm_by_method']}",
         None),
        ("ack p99 (commands, events)", f"{figures['ack_p99_ms']} ms ({figures['ack_p99_commands_ms']}, "
                                       f"{figures['ack_p99_events_ms']}) over {figures['acks']}",
         figures["ack_p99_ms"] < (200 if figures["mode"] == "socket" else 100)),
        ("Slack calls per note captured", figures["slack_calls_per_note"], None),
        ("swarms closed / archived / drafts", f"{figures['closes']} / {figures['archived']} / "
                                              f"{figures['drafts_posted']}", figures["archived"] == figures["closes"]),
        ("time until every channel archived", f"{figures['all_archived_s']} s (tier 2 allows "
                                              f"{figures['archive_tier_allows_s']} s, ratio "
                                              f"{figures['archive_ratio_to_tier']})",
         figures["archive_ratio_to_tier"] is not None and figures["archive_ratio_to_tier"] <= TARGET_SLACK),
        ("Slack calls per swarm closed", f"{figures['slack_calls_per_close']} "
                                         f"{figures['slack_calls_per_close_by_method']}", None),
        ("429s while closing", f"{figures['close_rate_limited_429']} {figures['close_rate_limited_by_method']}", None),
        ("Home opens / views.publish calls", f"{figures['home_opens']} / {figures['home_publishes']} "
                                             f"({figures['home_publishes_refused']} refused)", None),
        ("notes delivered / sent", f"{figures['notes_delivered']} / {figures['notes_sent']}",
         figures["notes_lost"] == 0),
        ("listener sleeps >= 1 s", figures["listener_sleeps_1s_or_more"], figures["listener_sleeps_1s_or_more"] == 0),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"Slack limits, {figures['mode']} mode (stand-in tiers on)"]
    for label, value, ok in rows:
        mark = "" if ok is None else ("  ok" if ok else "  MISSED")
        lines.append(f"  {label:<{width}}  {value}{mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swarms", type=positive_int, default=60)
    parser.add_argument("--window", type=positive_int, default=30, help="seconds over which /swarm is typed")
    parser.add_argument("--wave", type=positive_int, default=100)
    parser.add_argument("--notes", type=positive_int, default=1000)
    parser.add_argument("--timeout", type=positive_int, default=600)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--socket-mode", action="store_true", help="drive the bot over Socket Mode instead of HTTP")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    figures = run(args)
    print(json.dumps(figures) if args.json else table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
