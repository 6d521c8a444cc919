"""The closing half of the Slack-limits bench: every swarm closed within the window, archived, Homes opened.

Each agent runs `/swarm close` in their swarm's channel (spread over the window) and, meanwhile, opens
their App Home three times in quick succession, as people do while a floor settles down. With a short
SWARM_ARCHIVE_DAYS every channel falls due for its archive `archive_after` seconds after its closing,
so the archives queue at `conversations.archive`'s tier 2 beside the Home publishes at `views.publish`'s
tier 4. Counted: every Web API call made while closing (per swarm closed, by method; the Home's
`views.publish` apart), 429s, the time until every channel is archived against what tier 2 allows
(after the delay), and Home publishes per open.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from sqlalchemy import func, select

from slack_standin.rate_limits import TIERS, seconds_for
from swarms.knowledge.models import KnowledgeDraft
from swarms.models import Swarm, SwarmStatus

HOME_OPENS_EACH = 3
CLOSE_TEXT = "close Replaced the inverter's firmware; the fault cleared"


def close_all(run_, sessions, numbers: list[str], agents: list[str], *, window: float, timeout: float,
              archive_after: float) -> dict:
    """Close the swarms of `numbers` (agent n opened case n) and open every agent's Home meanwhile."""
    standin, driver = run_.standin, run_.driver
    with sessions() as session:
        channel_of = dict(session.execute(select(Swarm.case_number, Swarm.channel_id)
                                          .where(Swarm.case_number.in_(numbers))).all())
    calls_before, limited_before = len(standin.calls()), len(standin.rate_limited())
    acks: list[float] = []
    start = time.monotonic()
    gap = window / max(1, len(numbers))

    def close() -> None:
        for n, number in enumerate(numbers):
            acks.append(driver.command("/swarm", CLOSE_TEXT, user=agents[n], channel=channel_of[number]).elapsed)
            time.sleep(max(0.0, start + (n + 1) * gap - time.monotonic()))

    def homes() -> None:
        for n, agent in enumerate(agents):
            for _ in range(HOME_OPENS_EACH):
                acks.append(driver.user_opens_home(agent).elapsed)
            time.sleep(max(0.0, start + (n + 1) * gap - time.monotonic()))

    threads = [threading.Thread(target=job) for job in (close, homes)]
    for thread in threads:
        thread.start()
    all_archived_at = _wait_archived(sessions, numbers, start, timeout)
    for thread in threads:
        thread.join()
    run_.settle(timeout=timeout)
    calls = standin.calls()[calls_before:]
    limited = standin.rate_limited()[limited_before:]
    per_method = Counter(method for method, _ in calls if method != "views.publish")
    closes = len(numbers)
    allowed = archive_after + max(seconds_for(closes, TIERS[2]), float(window))
    with sessions() as session:
        archived = session.scalar(select(func.count()).select_from(Swarm).where(
            Swarm.case_number.in_(numbers), Swarm.status == SwarmStatus.ARCHIVED))
        drafts = session.scalar(select(func.count()).select_from(KnowledgeDraft).join(Swarm).where(
            Swarm.case_number.in_(numbers), KnowledgeDraft.message_ts.is_not(None)))
    home_opens = HOME_OPENS_EACH * len(agents)
    return {
        "acks": acks, "closes": closes, "archived": archived, "drafts_posted": drafts,
        "all_archived_s": round(all_archived_at, 1) if all_archived_at is not None else None,
        "archive_tier_allows_s": round(allowed, 1),
        "archive_ratio_to_tier": round(all_archived_at / allowed, 3) if all_archived_at else None,
        "slack_calls_per_close": round(sum(per_method.values()) / max(1, closes), 2),
        "slack_calls_per_close_by_method": {m: round(n / max(1, closes), 2) for m, n in sorted(per_method.items())},
        "close_rate_limited_429": len(limited),
        "close_rate_limited_by_method": dict(Counter(r.method for r in limited)),
        "home_opens": home_opens, "home_publishes": sum(1 for method, _ in calls if method == "views.publish"),
        "home_publishes_refused": sum(1 for r in limited if r.method == "views.publish"),
    }


def _wait_archived(sessions, numbers: list[str], start: float, timeout: float) -> float | None:
    """Seconds until every one of these swarms' channels was archived (None: not within `timeout`)."""
    while time.monotonic() - start < timeout:
        with sessions() as session:
            archived = session.scalar(select(func.count()).select_from(Swarm).where(
                Swarm.case_number.in_(numbers), Swarm.status == SwarmStatus.ARCHIVED))
        if archived >= len(numbers):
            return time.monotonic() - start
        time.sleep(0.5)
    return None
