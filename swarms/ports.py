"""What the domain needs from the chat workspace, as a protocol the bot implements with Slack.

The domain decides *what* happens (a channel for this case, these people, this card); the bot's
gateway decides *how* it looks and which Web API calls make it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from swarms.case_systems.base import CaseRecord


@dataclass(frozen=True, slots=True)
class ChannelRef:
    id: str
    name: str
    adopted: bool = False  # an existing channel of ours, found again after a crash


@dataclass(frozen=True, slots=True)
class InviteOutcome:
    invited: tuple[str, ...]
    already_members: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (user id, Slack error code)


class SwarmWorkspace(Protocol):
    def create_private_channel(self, base_name: str, *, marker: str) -> ChannelRef:
        """Create a private channel named `base_name` (suffix on a clash), or adopt ours by `marker`."""
        ...

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> InviteOutcome: ...

    def post_case_card(self, channel_id: str, case: CaseRecord, *, swarm_id: int, lang: str) -> str:
        """Post the case card; return its message ts."""
        ...

    def save_case_link(self, channel_id: str, case: CaseRecord, *, card_ts: str, lang: str) -> None:
        """Bookmark (or pin) the link to the case in the channel."""
        ...
