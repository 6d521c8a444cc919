"""In-repo fakes of outside systems for domain tests (the end-to-end tests use the Slack stand-in)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from swarms.ports import ChannelRef, InviteOutcome, NameTaken


class Crash(Exception):
    """Stands for the process dying at a chosen step."""


@dataclass
class FakeWorkspace:
    """A SwarmWorkspace that remembers what it was asked and can die at a chosen step."""

    channels: dict[str, dict] = field(default_factory=dict)
    cards: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    crash_at: str = ""
    calls: list[str] = field(default_factory=list)
    card_swarms: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    ascii_channel_names: bool = False

    def create_private_channel(self, name: str) -> ChannelRef:
        if any(c["name"] == name for c in self.channels.values()):
            raise NameTaken(name)
        cid = f"C{next(self._ids):04d}"
        self.channels[cid] = {"name": name, "members": set()}
        self.calls.append("create")
        self._maybe_crash("after_channel")
        return ChannelRef(cid, name)

    def find_private_channel(self, name: str) -> ChannelRef | None:
        self.calls.append("find_channel")
        found = next((cid for cid, c in self.channels.items() if c["name"] == name), None)
        return ChannelRef(found, name, adopted=True) if found else None

    def invite(self, channel_id: str, user_ids) -> InviteOutcome:
        members = self.channels[channel_id]["members"]
        new = tuple(u for u in user_ids if u not in members)
        members.update(user_ids)
        return InviteOutcome(new, tuple(u for u in user_ids if u not in new))

    def post_case_card(self, channel_id, case, *, swarm_id, lang, in_thread=False) -> str:
        self._maybe_crash("before_card")
        self.cards.append((channel_id, case.number))
        self.card_swarms[f"1700000000.{len(self.cards):06d}"] = swarm_id
        self._maybe_crash("after_card")
        return f"1700000000.{len(self.cards):06d}"

    def find_case_card(self, channel_id, *, swarm_id, since=None) -> str | None:
        self.calls.append("find_card")
        return next((ts for ts, owner in self.card_swarms.items() if owner == swarm_id), None)

    def save_case_link(self, channel_id, case, *, card_ts, lang) -> None:
        self.links.append(channel_id)

    def _maybe_crash(self, step: str) -> None:
        if self.crash_at == step:
            self.crash_at = ""
            raise Crash(step)


@dataclass
class FlakyCaseSystem:
    """Wraps a real case system; can be down, crash after writing, or refuse chosen notes."""

    inner: object
    down: bool = False
    reads_down: bool = False  # reading cases fails too (writes follow `down`)
    crash_after_write: bool = False
    refuse: dict[str, tuple[str, bool]] = field(default_factory=dict)  # key → (error, retryable)
    calls: list[list[str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    def get_case(self, number):
        if self.reads_down:
            from swarms.case_systems.base import CaseSystemUnavailable

            raise CaseSystemUnavailable("case system is down", retry_after=30)
        return self.inner.get_case(number)

    def search_cases(self, text, limit=20):
        if self.reads_down:
            from swarms.case_systems.base import CaseSystemUnavailable

            raise CaseSystemUnavailable("case system is down", retry_after=30)
        return self.inner.search_cases(text, limit)

    def closed_case_outcomes(self, start, end, swarmed_keys, elsewhere_keys):
        if self.reads_down:
            from swarms.case_systems.base import CaseSystemUnavailable

            raise CaseSystemUnavailable("case system is down", retry_after=30)
        return self.inner.closed_case_outcomes(start, end, swarmed_keys, elsewhere_keys)

    def add_notes(self, notes):
        from swarms.case_systems.base import CaseSystemUnavailable, NoteResult

        self.calls.append([n.idempotency_key for n in notes])
        if self.down:
            raise CaseSystemUnavailable("case system is down", retry_after=30)
        results = []
        for note in notes:
            if note.idempotency_key in self.refuse:
                error, retryable = self.refuse[note.idempotency_key]
                results.append(NoteResult(note.idempotency_key, ok=False, error=error, retryable=retryable))
            else:
                results.extend(self.inner.add_notes([note]))
        if self.crash_after_write:
            self.crash_after_write = False
            raise Crash("after the remote write, before the local commit")
        return results


def wait_until(condition, timeout: float) -> bool:
    """Polls `condition` every 50 ms until it holds or `timeout` seconds pass; the last answer is returned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
