"""Slack's rate limits, as the stand-in enforces them when asked: HTTP 429 with Retry-After, every one recorded.

Slack limits each Web API method per workspace (and app) by its tier; `chat.postMessage` instead allows
about one message a second per channel, under a workspace-wide cap; since 2025 `conversations.history`
and `conversations.replies` allow one call a minute for commercially distributed apps outside the
Marketplace (`history_limited`). Each limit is a token bucket: `per_minute` tokens a minute, holding up
to `burst` (Slack allows short bursts above the rate). Figures: ../shared/reference/PLATFORM.md.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limit:
    per_minute: float
    burst: float

    @property
    def interval(self) -> float:
        """Seconds between two calls once the burst is spent."""
        return 60.0 / self.per_minute


TIERS: dict[int, Limit] = {1: Limit(1, 1), 2: Limit(20, 10), 3: Limit(50, 25), 4: Limit(100, 50)}
POST_PER_CHANNEL = Limit(60, 3)  # about one a second in each channel, a short burst allowed
POST_WORKSPACE = Limit(600, 100)  # Slack's undocumented "several hundred a minute" cap
HISTORY_LIMITED = Limit(1, 1)  # non-Marketplace commercial apps, conversations.history / replies

# Tiers as Slack's method pages give them; a method not listed is not limited ("special" methods such
# as auth.test and chat.postEphemeral are limited far above anything a test does).
METHOD_TIERS: dict[str, int] = {
    "conversations.create": 2, "conversations.archive": 2, "conversations.unarchive": 2,
    "conversations.setPurpose": 2, "conversations.setTopic": 2, "conversations.list": 2,
    "bookmarks.add": 2, "pins.add": 2, "users.list": 2, "usergroups.users.list": 2,
    "conversations.invite": 3, "conversations.kick": 3, "conversations.join": 3, "conversations.open": 3,
    "conversations.info": 3, "conversations.history": 3, "conversations.replies": 3, "chat.update": 3,
    "chat.delete": 3, "reactions.add": 3, "reactions.remove": 3, "reactions.get": 3, "users.lookupByEmail": 3,
    "bookmarks.list": 3, "team.info": 3,
    "conversations.members": 4, "users.info": 4, "users.profile.get": 4, "views.open": 4, "views.push": 4,
    "views.update": 4, "views.publish": 4, "files.getUploadURLExternal": 4, "files.completeUploadExternal": 4,
}
HISTORY_PAGE = 15
HISTORY_METHODS = frozenset({"conversations.history", "conversations.replies"})


@dataclass(frozen=True, slots=True)
class RateLimited:
    """One 429 the stand-in answered."""

    method: str
    bucket: str  # "conversations.create", "chat.postMessage:C123", "chat.postMessage:workspace"
    retry_after: int
    at: float


@dataclass
class _Bucket:
    limit: Limit
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """0 when a call may go now (and takes its token), else the seconds until one may."""
        self.tokens = min(self.limit.burst, self.tokens + (now - self.updated) * self.limit.per_minute / 60.0)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) * self.limit.interval


@dataclass
class RateLimits:
    """The buckets of one workspace; `check` answers whether a call may go, `limited` what was refused."""

    history_limited: bool = False
    tiers: dict[int, Limit] = field(default_factory=lambda: dict(TIERS))
    post_per_channel: Limit = POST_PER_CHANNEL
    post_workspace: Limit = POST_WORKSPACE
    clock: Callable[[], float] | None = None
    _buckets: dict[str, _Bucket] = field(default_factory=dict, repr=False)
    _limited: list[RateLimited] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def limits_of(self, method: str, args: dict) -> list[tuple[str, Limit]]:
        """The buckets a call draws from: its method's tier, or a post's channel and the workspace."""
        if method == "chat.postMessage":
            channel = str(args.get("channel") or "")
            return [(f"chat.postMessage:{channel}", self.post_per_channel),
                    ("chat.postMessage:workspace", self.post_workspace)]
        if method in HISTORY_METHODS and self.history_limited:
            return [(method, HISTORY_LIMITED)]
        tier = METHOD_TIERS.get(method)
        return [(method, self.tiers[tier])] if tier else []

    def check(self, method: str, args: dict, now: float) -> int | None:
        """None when the call may go (its tokens are taken); else Retry-After in whole seconds, recorded."""
        with self._lock:
            named = [(name, self._bucket(name, limit, now)) for name, limit in self.limits_of(method, args)]
            waits = [(bucket.take(now), name) for name, bucket in named]
            wait, refused_by = max(waits, default=(0.0, ""))
            if wait <= 0:
                return None
            for (_, bucket), (taken, _) in zip(named, waits, strict=True):
                if taken <= 0:  # the call does not happen: give back the tokens the other buckets gave
                    bucket.tokens = min(bucket.limit.burst, bucket.tokens + 1.0)
            retry_after = max(1, math.ceil(wait))
            self._limited.append(RateLimited(method, refused_by, retry_after, now))
            return retry_after

    def page_size(self, method: str, asked: int | None) -> int | None:
        """History under the 2025 limit returns at most 15 messages a call (None: the method's own page)."""
        if method in HISTORY_METHODS and self.history_limited:
            return min(asked or HISTORY_PAGE, HISTORY_PAGE)
        return None

    def _bucket(self, name: str, limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = _Bucket(limit, limit.burst, now)
        return bucket

    def limited(self, method: str | None = None) -> list[RateLimited]:
        """Every 429 answered so far (for one method, or all), oldest first."""
        with self._lock:
            return [r for r in self._limited if method is None or r.method == method]

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._limited.clear()


def seconds_for(calls: int, limit: Limit) -> float:
    """The least time `calls` calls take under `limit`, starting with a full burst (what a tier allows)."""
    return max(0.0, calls - limit.burst) * limit.interval
