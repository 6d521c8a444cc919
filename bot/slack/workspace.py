"""The domain's SwarmWorkspace port, made of Slack Web API calls.

Slack quirks handled here: `name_taken` (the domain tries the next name),
`already_in_channel` (success), invites in chunks of 100 users (PLATFORM.md), bookmarks falling back to
a pin where the workspace does not allow bookmarks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n.catalog import t
from bot.slack.pacing import SlackPacer
from bot.views.case_card import case_card_blocks, case_card_text
from swarms.case_systems.base import CaseRecord
from swarms.ports import ChannelRef, InviteOutcome, NameRefused, NameTaken, WorkspaceRefused

log = logging.getLogger(__name__)
INVITE_CHUNK = 100
CARD_EVENT_TYPE = "case_swarm_card"
PACED = "paced"  # our own pacing held the call back: nothing was sent
MEMBER_ERRORS = frozenset({"already_in_channel"})


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "unknown_error")


def refused(exc: SlackApiError, method: str = "", channel: str = "") -> WorkspaceRefused:
    """Slack's answer as the domain's named refusal; a 429 keeps its Retry-After."""
    retry_after = None
    if exc.response.status_code == 429:
        retry_after = float(exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or 1)
    return WorkspaceRefused(slack_error(exc), retry_after=retry_after, method=method, channel=channel)


class SlackSwarmWorkspace:
    def __init__(self, client: WebClient, *, ascii_channel_names: bool = False,
                 pacer: SlackPacer | None = None, team_id: str = "") -> None:
        self._client = client
        self.ascii_channel_names = ascii_channel_names
        self._pacer = pacer  # the queue's workspace keeps Slack's pace; a listener's acts at once
        self._team_id = team_id  # whose pace
        self._bot_user: str | None = None

    def paced(self, pacer: SlackPacer, team_id: str) -> SlackSwarmWorkspace:
        """The same workspace, keeping its pace (`team_id`'s): a call that may not go yet is refused before it
        is sent."""
        return SlackSwarmWorkspace(self._client, ascii_channel_names=self.ascii_channel_names, pacer=pacer,
                                   team_id=team_id)

    def _pace(self, method: str, channel: str = "") -> None:
        if self._pacer is None:
            return
        wait = self._pacer.take(self._team_id, method, channel)
        if wait > 0:
            raise WorkspaceRefused(PACED, retry_after=wait, method=method, channel=channel)

    # -- channels

    def create_private_channel(self, name: str) -> ChannelRef:
        self._pace("conversations.create")
        try:
            answer = self._client.conversations_create(name=name, is_private=True)
        except SlackApiError as exc:
            if slack_error(exc) == "name_taken":
                raise NameTaken(name) from exc
            if slack_error(exc) == "invalid_name_specials":
                raise NameRefused(name) from exc
            raise refused(exc, "conversations.create") from exc
        channel = answer["channel"]
        return ChannelRef(channel["id"], channel["name"])

    def find_private_channel(self, name: str) -> ChannelRef | None:
        """Only after an interrupted opening: conversations.list is tier 2, and paged."""
        self._pace("conversations.list")
        for page in self._client.conversations_list(types="private_channel", exclude_archived=True, limit=200):
            for channel in page.get("channels", []):
                if channel.get("name") == name and channel.get("creator") == self._bot_user_id():
                    return ChannelRef(channel["id"], channel["name"], adopted=True)
        return None

    def _bot_user_id(self) -> str:
        if self._bot_user is None:
            self._bot_user = str(self._client.auth_test().get("user_id") or "")
        return self._bot_user

    def bot_is_member(self, channel_id: str) -> bool:
        """Whether the bot is in the channel (a private one it is not in is not even visible to it)."""
        try:
            return bool(self._client.conversations_info(channel=channel_id)["channel"].get("is_member"))
        except SlackApiError as exc:
            if slack_error(exc) in ("channel_not_found", "not_in_channel"):
                return False
            raise refused(exc, "conversations.info", channel_id) from exc

    def set_purpose(self, channel_id: str, text: str) -> None:
        self._client.conversations_setPurpose(channel=channel_id, purpose=text[:250])

    # -- people

    def invite(self, channel_id: str, user_ids: Sequence[str], *, refusal_fails_each: bool = False) -> InviteOutcome:
        """With `refusal_fails_each`, a call Slack refuses as a whole (restricted_action, an archived channel)
        fails each of its people instead of raising, so the other chunks still count (expert invitations)."""
        invited: list[str] = []
        already: list[str] = []
        failed: list[tuple[str, str]] = []
        unique = list(dict.fromkeys(user_ids))
        for start in range(0, len(unique), INVITE_CHUNK):
            chunk = unique[start : start + INVITE_CHUNK]
            try:
                done, members, errors = self._invite_chunk(channel_id, chunk)
            except SlackApiError as exc:
                if not refusal_fails_each:
                    raise
                done, members, errors = [], [], [(user, slack_error(exc)) for user in chunk]
            invited += done
            already += members
            failed += errors
        return InviteOutcome(tuple(invited), tuple(already), tuple(failed))

    def _invite_chunk(self, channel_id: str, users: list[str]):
        self._pace("conversations.invite")
        try:
            self._client.conversations_invite(channel=channel_id, users=",".join(users), force=True)
            return users, [], []
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise refused(exc, "conversations.invite") from exc
            per_user = exc.response.get("errors") or []
            if not per_user:
                if len(users) == 1:
                    code = slack_error(exc)
                    return ([], users, []) if code in MEMBER_ERRORS else ([], [], [(users[0], code)])
                raise
        members = [e["user"] for e in per_user if e.get("error") in MEMBER_ERRORS]
        errors = [(e["user"], e.get("error", "")) for e in per_user if e.get("error") not in MEMBER_ERRORS]
        not_invited = {u for u, _ in errors} | set(members)
        # With force=true Slack invites the valid users and reports the others one by one.
        return [u for u in users if u not in not_invited], members, errors

    # -- the card and the link

    def post_case_card(self, channel_id: str, case: CaseRecord, *, swarm_id: int, lang: str,
                       in_thread: bool = False) -> str:
        self._pace("chat.postMessage", channel_id)
        try:
            answer = self._client.chat_postMessage(
                channel=channel_id,
                text=case_card_text(case, lang),
                blocks=case_card_blocks(case, lang=lang, in_thread=in_thread),
                unfurl_links=False,
                metadata={"event_type": CARD_EVENT_TYPE, "event_payload": {"swarm_id": swarm_id}},
            )
        except SlackApiError as exc:
            raise refused(exc, "chat.postMessage", channel_id) from exc
        return answer["ts"]

    def find_case_card(self, channel_id: str, *, swarm_id: int, since: datetime | None = None) -> str | None:
        """Only after an interrupted opening: the card is among the channel's first messages (its own
        channel), or among the team channel's messages since it was asked for (a thread swarm)."""
        self._pace("conversations.history")
        oldest = f"{since.timestamp():.6f}" if since is not None else "0"
        answer = self._client.conversations_history(channel=channel_id, limit=15 if since is None else 200,
                                                    oldest=oldest, include_all_metadata=True)
        for message in answer.get("messages", []):
            metadata = message.get("metadata") or {}
            if (metadata.get("event_type") == CARD_EVENT_TYPE
                    and (metadata.get("event_payload") or {}).get("swarm_id") == swarm_id):
                return str(message["ts"])
        return None

    def save_case_link(self, channel_id: str, case: CaseRecord, *, card_ts: str, lang: str) -> None:
        """A bookmark when the case has a link; the card pinned only where it has none or bookmarks are off."""
        if case.url:
            self._pace("bookmarks.add")
            try:
                self._client.bookmarks_add(channel_id=channel_id, title=t("card.link_title", lang, case=case.number),
                                           type="link", link=case.url)
                return
            except SlackApiError as exc:
                if exc.response.status_code == 429:
                    raise refused(exc, "bookmarks.add") from exc
                log.info("bookmarks.add refused (%s); pinning the card instead", slack_error(exc))
        self._pace("pins.add")
        try:
            self._client.pins_add(channel=channel_id, timestamp=card_ts)
        except SlackApiError as exc:
            if slack_error(exc) != "already_pinned":
                raise refused(exc, "pins.add") from exc
