"""What the domain needs from the chat workspace, as a protocol the bot implements with Slack.

The domain decides *what* happens (a channel for this case, these people, this card); the bot's
gateway decides *how* it looks and which Web API calls make it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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


class WorkspaceRefused(Exception):
    """Slack answered a call and did nothing (an error code, or 429 with `retry_after` seconds).

    Unlike a call that never got an answer, nothing may have happened: the step can be asked again as new.
    """

    def __init__(self, code: str, *, retry_after: float | None = None, method: str = "", channel: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after
        self.method = method  # the call refused, so the caller can hold that method's pace
        self.channel = channel


class NameTaken(Exception):
    """The channel name is in use (Slack's `name_taken`): the caller tries the next name."""


class NameRefused(Exception):
    """Slack refused the channel name's letters (`invalid_name_specials`): the caller tries ASCII."""


class SwarmWorkspace(Protocol):
    ascii_channel_names: bool  # CHANNEL_NAMES_ASCII: names from the subject in ASCII only

    def create_private_channel(self, name: str) -> ChannelRef:
        """Create a private channel called exactly `name`; raise NameTaken when it is in use."""
        ...

    def find_private_channel(self, name: str) -> ChannelRef | None:
        """The bot's own private channel called `name`, if one exists (an interrupted opening's)."""
        ...

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> InviteOutcome: ...

    def post_case_card(self, channel_id: str, case: CaseRecord, *, swarm_id: int, lang: str,
                       in_thread: bool = False) -> str:
        """Post the case card (`in_thread`: the parent of the swarm's thread in a team channel); return its ts."""
        ...

    def find_case_card(self, channel_id: str, *, swarm_id: int, since: datetime | None = None) -> str | None:
        """The ts of the card an interrupted opening may have posted (at or after `since`), if it is there."""
        ...

    def save_case_link(self, channel_id: str, case: CaseRecord, *, card_ts: str, lang: str) -> None:
        """Bookmark the link to the case in the channel (or pin the card where there is no link)."""
        ...
