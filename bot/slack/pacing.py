"""Our side of Slack's rate limits: which bucket a call draws from, and a pace shared by every replica.

Slack limits each method per workspace by tier, and `chat.postMessage` per channel (PLATFORM.md), so each
bucket is one workspace's. The queue asks `SlackPacer.take` before each call it makes; a call that would
exceed the pace is not sent but put back for when it may go, so a burst is spread over time instead of
earning 429s, and nobody sleeps. A 429 that comes anyway (another app, a smaller workspace tier) holds the
bucket for Retry-After.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from swarms.jobs.claimed_work import hold_pace, pace_wait, take_pace

# per minute, burst: as Slack documents its tiers (PLATFORM.md); posts: about one a second per channel.
TIER_PACE: dict[int, tuple[float, float]] = {2: (20, 10), 3: (50, 25), 4: (100, 50)}
POST_PACE = (60, 3)
# A call leaves a little after its slot is taken and reaches Slack with some jitter: keep 5% under the rate
# so two calls one interval apart by our clock are never closer than that by Slack's.
PACE_MARGIN = 1.05
METHOD_TIERS: dict[str, int] = {
    "conversations.create": 2, "conversations.archive": 2, "conversations.list": 2, "bookmarks.add": 2,
    "pins.add": 2, "conversations.setPurpose": 2, "conversations.invite": 3, "conversations.history": 3,
    "chat.update": 3, "views.publish": 4, "users.info": 4,
}


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    interval: float  # seconds between calls once the burst is spent
    burst: float


def bucket_of(team_id: str, method: str, channel: str = "") -> Bucket | None:
    """The pace a call keeps in its workspace: its method's tier, or for a post, its channel's."""
    if method == "chat.postMessage":
        per_minute, burst = POST_PACE
        return Bucket(f"{team_id}/chat.postMessage:{channel}", PACE_MARGIN * 60.0 / per_minute, burst)
    tier = METHOD_TIERS.get(method)
    if tier is None:
        return None
    per_minute, burst = TIER_PACE[tier]
    return Bucket(f"{team_id}/{method}", PACE_MARGIN * 60.0 / per_minute, burst)


@dataclass
class SlackPacer:
    """Per-bucket pacing kept in the database, so N replicas together keep each workspace's pace."""

    sessions: sessionmaker

    def take(self, team_id: str, method: str, channel: str = "") -> float:
        """0: go now (the call is counted); else seconds until it may go."""
        bucket = bucket_of(team_id, method, channel)
        if bucket is None:
            return 0.0
        return take_pace(self.sessions, bucket.name, interval=bucket.interval, burst=bucket.burst, now=time.time())

    def hold(self, team_id: str, method: str, channel: str, retry_after: float) -> None:
        bucket = bucket_of(team_id, method, channel)
        if bucket is not None:
            hold_pace(self.sessions, bucket.name, until=time.time() + retry_after, interval=bucket.interval,
                      burst=bucket.burst)

    def eta(self, team_id: str, method: str, calls: int) -> float:
        """About how long until `calls` more calls of `method` have gone (for "your swarm opens in …")."""
        bucket = bucket_of(team_id, method)
        if bucket is None:
            return 0.0
        return pace_wait(self.sessions, bucket.name, calls=calls, interval=bucket.interval, burst=bucket.burst,
                         now=time.time())
