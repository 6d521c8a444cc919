"""The expert flows' port (`swarms.experts.invites.ExpertsPort`) and the directory's profile reader, made of
Slack Web API calls, the case system and the scheduler; beside `bot.slack.workspace`, whose workspace invites."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs import scheduled as jobs
from bot.slack.later import post_later
from bot.slack.workspace import slack_error
from bot.views.experts import join_request_blocks, join_request_text, notice_blocks, notice_text
from swarms.case_systems.base import CaseRecord
from swarms.experts.errors import ExpertUnreachable
from swarms.experts.invites import ExpertNotice, JoinRequest, SwarmInfo
from swarms.ports import InviteOutcome

if TYPE_CHECKING:
    from bot.services import AppServices

log = logging.getLogger(__name__)


class SlackExpertsPort:
    """The flows' view of the outside world, made of Slack calls, the case system and the scheduler."""

    def __init__(self, services: AppServices) -> None:
        self.services = services

    def case_of(self, case_number: str) -> CaseRecord | None:
        try:
            return self.services.cases.get_case(case_number)
        except Exception:  # the ranking falls back on the swarm's own copy of the case
            log.warning("case %s unreadable for the expert finder; ranking on the swarm's copy", case_number)
            return None

    def unavailable(self, team_id: str, user_id: str) -> str:
        person = self.services.people.get(team_id, user_id, fresh=True)  # a deactivation must not wait a day
        if not person.known:
            return "user_not_found" if person.deleted else ""
        if person.deleted:
            return "deactivated"
        return "bot" if person.is_bot else ""

    def in_channel(self, team_id: str, channel_id: str, user_id: str) -> bool:
        try:
            for page in self.services.slack_for(team_id).conversations_members(channel=channel_id, limit=1000):
                if user_id in page.get("members", []):
                    return True
        except SlackApiError as exc:
            log.info("conversations.members %s: %s", channel_id, slack_error(exc))
        return False

    def add_to_swarm(self, swarm: SwarmInfo, user_ids: Sequence[str]) -> InviteOutcome:
        """Into the swarm's channel. A call Slack refuses as a whole (restricted_action, channel archived) fails
        each of its people, so their invitations are recorded as failed and can be tried again, never left
        waiting. A thread swarm in a public team channel needs no invite: the "joined" notice in the thread
        mentions them, and anyone can read and answer a public channel's thread; a private team channel takes
        them in, or they could not read it."""
        if swarm.thread_ts and not self._is_private(swarm.team_id, swarm.channel_id):
            return InviteOutcome(tuple(user_ids))
        return self.services.workspace_for(swarm.team_id).invite(swarm.channel_id, user_ids, refusal_fails_each=True)

    def _is_private(self, team_id: str, channel_id: str) -> bool:
        try:
            channel = self.services.slack_for(team_id).conversations_info(channel=channel_id)["channel"]
            return bool(channel.get("is_private"))
        except SlackApiError as exc:
            log.info("conversations.info %s: %s", channel_id, slack_error(exc))
            return True  # not visible to the bot as public: invite, and let Slack say what it refuses

    def ask_to_join(self, request: JoinRequest) -> tuple[str, str]:
        team_id = request.swarm.team_id
        lang = self.services.people.language_of(team_id, request.user_id)
        client = self.services.slack_for(team_id)
        try:
            dm = client.conversations_open(users=request.user_id)["channel"]["id"]
            answer = client.chat_postMessage(channel=dm, text=join_request_text(request, lang),
                                             blocks=join_request_blocks(request, lang), unfurl_links=False)
        except SlackApiError as exc:
            raise ExpertUnreachable(request.user_id, slack_error(exc)) from exc
        return dm, answer["ts"]

    def announce(self, notice: ExpertNotice) -> None:
        lang = notice.swarm.language
        with_next = notice.kind in ("declined", "ignored")
        # Queued at the channel's pace: a wave of escalations into one channel waits its turn, never fails.
        post_later(self.services, notice.swarm.team_id, notice.swarm.channel_id, notice_text(notice, lang),
                   blocks=notice_blocks(notice, lang, with_next=with_next), thread_ts=notice.swarm.thread_ts)

    def plan_answer_check(self, outcome_id: int, run_at: datetime) -> None:
        jobs.plan_answer_check(self.services.scheduler, outcome_id, run_at)

    def cancel_answer_check(self, outcome_id: int) -> None:
        jobs.cancel_answer_check(self.services.scheduler, outcome_id)


class SlackProfileReader:
    """users.info, users.profile.get and team.profile.get for the directory refresh."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def user(self, user_id: str) -> dict | None:
        try:
            return self.client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            if slack_error(exc) == "user_not_found":
                return None
            raise

    def profile(self, user_id: str) -> dict:
        return self.client.users_profile_get(user=user_id)["profile"]

    def field_labels(self) -> dict[str, str]:
        fields = self.client.team_profile_get()["profile"]["fields"]
        return {f["id"]: f.get("label", "") for f in fields}
