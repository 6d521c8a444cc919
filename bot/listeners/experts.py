"""The expert finder in Slack: suggestions after a swarm opens, `/swarm experts`, `/swarm invite @a @b`,
Invite buttons, the DM's Join / Decline, and the escalation and directory-refresh jobs.

Listeners ack, parse, call one flow of `swarms.experts.invites`, render. `SlackExpertsPort` is the one
place that turns what those flows need into Web API calls and scheduler jobs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.errors import answers_errors, error_text
from bot.gateway import slack_error
from bot.i18n.catalog import t
from bot.listeners.commands import CommandContext, registry_of
from bot.services import AppServices
from bot.swarm_opening import post_later
from bot.views.experts import (
    AnswerValue,
    DeclineState,
    ExpertsAction,
    ExpertsCallback,
    InviteValue,
    answered_blocks,
    decline_modal,
    decline_reason,
    invite_result_text,
    join_request_blocks,
    join_request_text,
    notice_blocks,
    notice_text,
    suggestion_blocks,
    suggestions_after_invite,
    suggestions_text,
)
from swarms.case_systems.base import CaseRecord
from swarms.db import utcnow
from swarms.errors import NotAllowed, SwarmError
from swarms.experts.directory import refresh_directory
from swarms.experts.errors import ExpertUnreachable, NothingToInvite, NotInSwarmChannel
from swarms.experts.finder import settle_outcomes
from swarms.experts.invites import (
    ESCALATION_JOB,
    PORT_KEY,
    SETTINGS_KEY,
    ExpertNotice,
    InviteResult,
    JoinRequest,
    SwarmInfo,
    accept_invite,
    check_may_invite,
    decline_invite,
    escalation_job_id,
    invite_experts,
    pending_checks,
    suggest,
    swarm_info,
)
from swarms.experts.settings import ExpertSettings
from swarms.jobs.scheduling import cancel, job_run, job_services, schedule_once
from swarms.models import Swarm
from swarms.opening.lifecycle import OpenedSwarm, find_swarm_by_channel
from swarms.ports import InviteOutcome

log = logging.getLogger(__name__)
INVITE_CHUNK = 100  # conversations.invite takes at most 100 users a call
REFRESH_JOB = "experts-refresh"
TUNE_JOB = "experts-tune"  # bot.jobs.tune_experts, monthly (EXPERTS_TUNE_SCHEDULE)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


class SlackExpertsPort:
    """The flows' view of the outside world, made of Slack calls, the case system and the scheduler."""

    def __init__(self, services: AppServices, settings: ExpertSettings) -> None:
        self.services = services
        self.settings = settings

    def case_of(self, case_number: str) -> CaseRecord | None:
        try:
            return self.services.cases.get_case(case_number)
        except Exception:  # the ranking falls back on the swarm's own copy of the case
            log.warning("case %s unreadable for the expert finder; ranking on the swarm's copy", case_number)
            return None

    def unavailable(self, user_id: str) -> str:
        person = self.services.people.get(user_id, fresh=True)  # a deactivation must not wait a day
        if not person.known:
            return "user_not_found" if person.deleted else ""
        if person.deleted:
            return "deactivated"
        return "bot" if person.is_bot else ""

    def in_channel(self, channel_id: str, user_id: str) -> bool:
        try:
            for page in self.services.client.conversations_members(channel=channel_id, limit=1000):
                if user_id in page.get("members", []):
                    return True
        except SlackApiError as exc:
            log.info("conversations.members %s: %s", channel_id, slack_error(exc))
        return False

    def add_to_channel(self, channel_id: str, user_ids: Sequence[str]) -> InviteOutcome:
        """A call Slack refuses as a whole (restricted_action, channel archived) fails each of its people,
        so their invitations are recorded as failed and can be tried again, never left waiting."""
        invited: list[str] = []
        members: list[str] = []
        failed: list[tuple[str, str]] = []
        users = list(user_ids)
        for start in range(0, len(users), INVITE_CHUNK):
            chunk = users[start : start + INVITE_CHUNK]
            try:
                answer = self.services.workspace.invite(channel_id, chunk)
            except SlackApiError as exc:
                failed.extend((user, slack_error(exc)) for user in chunk)
                continue
            invited.extend(answer.invited)
            members.extend(answer.already_members)
            failed.extend(answer.failed)
        return InviteOutcome(tuple(invited), tuple(members), tuple(failed))

    def ask_to_join(self, request: JoinRequest) -> tuple[str, str]:
        lang = self.services.people.language_of(request.user_id)
        client = self.services.client
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
        post_later(self.services, notice.swarm.channel_id, notice_text(notice, lang),
                   blocks=notice_blocks(notice, lang, with_next=with_next))

    def plan_answer_check(self, outcome_id: int, run_at: datetime) -> None:
        scheduler = self.services.extras.get("scheduler")
        if scheduler is None:  # not started yet: on_start plans every pending check from the database
            return
        schedule_once(scheduler, escalation_job_id(outcome_id), ESCALATION_JOB, run_at, outcome_id)

    def cancel_answer_check(self, outcome_id: int) -> None:
        scheduler = self.services.extras.get("scheduler")
        if scheduler is not None:
            cancel(scheduler, escalation_job_id(outcome_id))


class SlackProfileReader:
    """users.info, users.profile.get and team.profile.get for the directory refresh."""

    def __init__(self, client) -> None:
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


def register(app: App, services: AppServices) -> None:
    """Commands, actions, views and background hooks of this feature."""
    settings = services.settings.experts
    services.extras[SETTINGS_KEY] = settings
    services.extras[PORT_KEY] = SlackExpertsPort(services, settings)
    registry = registry_of(services)
    registry.add("experts", _experts_command, ack_key="experts.ack.experts")
    registry.add("invite", _invite_command, ack_key="experts.ack.invite")
    services.extras.setdefault("after_open", []).append(after_open)
    services.extras.setdefault("on_start", []).append(on_start)

    def lang_of(body: dict) -> str:
        return services.people.cached_language_of((body.get("user") or {}).get("id", ""))

    def just_ack(ack: Ack) -> None:
        ack()

    guard = answers_errors(lang_of, services.settings.case_system)
    app.action(ExpertsAction.INVITE)(ack=just_ack, lazy=[guard(_invite_clicked(services))])
    app.action(ExpertsAction.INVITE_ALL)(ack=just_ack, lazy=[guard(_invite_clicked(services))])
    app.action(ExpertsAction.JOIN)(ack=just_ack, lazy=[guard(_join_clicked(services))])
    app.action(ExpertsAction.DECLINE)(_decline_clicked(services))
    app.action(ExpertsAction.OPEN_CASE)(just_ack)
    app.view(ExpertsCallback.DECLINE)(ack=just_ack, lazy=[_decline_submitted(services)])


def _port(services: AppServices) -> SlackExpertsPort:
    return services.extras[PORT_KEY]


def _settings(services: AppServices) -> ExpertSettings:
    return services.extras[SETTINGS_KEY]


# ---------------------------------------------------------------- suggestions


def after_open(services: AppServices, opened: OpenedSwarm) -> None:
    """A new swarm: its card is followed by the top suggestions (and the top N invited, where set)."""
    if not opened.created:
        return
    try:
        post_suggestions(services, opened.swarm_id, case=opened.case, auto_invite=True)
    except Exception:  # the swarm is open and answered; suggestions failing must not undo that
        log.exception("swarm %s: suggesting experts failed", opened.swarm_id)


def post_suggestions(services: AppServices, swarm_id: int, *, case: CaseRecord | None, auto_invite: bool) -> None:
    settings = _settings(services)
    ranking, invited = suggest(services.sessions, _port(services), swarm_id, now=utcnow(), settings=settings,
                               case=case, auto_invite=auto_invite)
    if not ranking.suggestions and not ranking.uncovered_skills:
        return  # an empty directory: nothing worth a message
    info = _swarm_info(services, swarm_id)
    auto = (invited.asked + invited.added) if invited else ()
    services.client.chat_postMessage(
        channel=info.channel_id, text=suggestions_text(info.case_number, ranking.suggestions, info.language),
        blocks=suggestion_blocks(swarm_id, info.case_number, ranking.suggestions, ranking.uncovered_skills,
                                 lang=info.language, mode=settings.invite_mode, auto_invited=auto),
        unfurl_links=False,
    )


def _swarm_info(services: AppServices, swarm_id: int) -> SwarmInfo:
    with services.sessions() as session:
        return swarm_info(session.get_one(Swarm, swarm_id))


def _swarm_here(ctx: CommandContext) -> int:
    with ctx.services.sessions() as session:
        swarm = find_swarm_by_channel(session, ctx.channel_id)
        if swarm is None:
            raise NotInSwarmChannel()
        return swarm.id


def _experts_command(ctx: CommandContext) -> None:
    """Re-rank for this swarm, leaving out its members and anyone already asked; answered to the asker."""
    swarm_id = _swarm_here(ctx)
    services = ctx.services
    ranking, _ = suggest(services.sessions, _port(services), swarm_id, now=utcnow(), settings=_settings(services))
    info = _swarm_info(services, swarm_id)
    ctx.answer(suggestions_text(info.case_number, ranking.suggestions, ctx.lang),
               blocks=suggestion_blocks(swarm_id, info.case_number, ranking.suggestions, ranking.uncovered_skills,
                                        lang=ctx.lang, mode=_settings(services).invite_mode))


def parse_mentions(args: Sequence[str]) -> list[str]:
    """Slack escapes mentions in command text as <@U123|name> (or <@U123>)."""
    return list(dict.fromkeys(_MENTION.findall(" ".join(args))))


def _invite_command(ctx: CommandContext) -> None:
    users = parse_mentions(ctx.command.args)
    if not users:
        raise NothingToInvite()
    swarm_id = _swarm_here(ctx)
    # People named by hand are a person's choice: invited even if they opted out of suggestions.
    _invite(ctx.services, swarm_id, users, clicker=ctx.user_id, channel_id=ctx.channel_id, lang=ctx.lang,
            answer=ctx.answer, by_hand=True)


def _invite(services: AppServices, swarm_id: int, users: list[str], *, clicker: str, channel_id: str, lang: str,
            answer: Callable[..., object], by_hand: bool = False) -> InviteResult:
    port = _port(services)
    with services.sessions() as session:
        check_may_invite(session, port, swarm_id, clicker, from_channel=channel_id,
                         is_admin=services.permissions.is_admin(clicker))
    result = invite_experts(services.sessions, port, swarm_id, users, invited_by=clicker, now=utcnow(),
                            settings=_settings(services), by_hand=by_hand)
    answer(invite_result_text(result, lang))
    return result


# ---------------------------------------------------------------- buttons and the modal


def _action_value(body: dict) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def _invite_clicked(services: AppServices) -> Callable:
    def invite_clicked(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        try:
            value = InviteValue.loads(_action_value(body))
        except ValueError:
            raise NotAllowed(action="invite_experts") from None
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        lang = services.people.language_of(user_id)

        def answer(text: str) -> None:
            respond(response_type="ephemeral", replace_original=False, text=text)

        # No channel in the payload cannot pass as the swarm's channel: "-" never matches one.
        result = _invite(services, value.swarm_id, list(value.user_ids), clicker=user_id,
                         channel_id=channel_id or "-", lang=lang, answer=answer)
        message = body.get("message")
        if isinstance(message, dict) and message.get("ts"):  # an ephemeral `/swarm experts` answer has none
            _show_invited(services, value.swarm_id, channel_id, message, result, clicker=user_id)

    return invite_clicked


def _show_invited(services: AppServices, swarm_id: int, channel_id: str, message: dict, result: InviteResult, *,
                  clicker: str) -> None:
    """Everyone in the channel sees who was invited and by whom; a used button does not stay to be clicked."""
    if not (result.asked or result.added or result.skipped):
        return
    blocks = suggestions_after_invite(message.get("blocks") or [], result, by=clicker,
                                      lang=_swarm_info(services, swarm_id).language)
    try:
        services.client.chat_update(channel=channel_id, ts=message["ts"], text=str(message.get("text") or ""),
                                    blocks=blocks)
    except SlackApiError as exc:  # the invitations went out; the message keeping its buttons is only cosmetic
        log.info("swarm %s: could not update the suggestions message: %s", swarm_id, slack_error(exc))


def _join_clicked(services: AppServices) -> Callable:
    def join_clicked(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        try:
            value = AnswerValue.loads(_action_value(body))
        except ValueError:
            raise NotAllowed(action="join_swarm") from None
        info = accept_invite(services.sessions, _port(services), value.outcome_id, user_id, now=utcnow())
        text = t("experts.request.joined", services.people.language_of(user_id), channel=info.channel_id,
                 case=info.case_number)
        respond(replace_original=True, text=text, blocks=answered_blocks(text))

    return join_clicked


def _decline_clicked(services: AppServices) -> Callable:
    def decline_clicked(ack: Ack, body: dict, client) -> None:
        """Open the modal first: the trigger id expires after 3 seconds. Ownership is checked on submit."""
        ack()
        try:
            value = AnswerValue.loads(_action_value(body))
        except ValueError:
            return
        container = body.get("container") or {}
        message = body.get("message") or {}
        state = DeclineState(value.outcome_id, container.get("channel_id", ""),
                             container.get("message_ts") or message.get("ts", ""), value.case_number)
        lang = services.people.cached_language_of(body["user"]["id"])
        client.views_open(trigger_id=body["trigger_id"], view=decline_modal(state, lang))

    return decline_clicked


def _decline_submitted(services: AppServices) -> Callable:
    def decline_submitted(body: dict, view: dict) -> None:
        user_id = body["user"]["id"]
        lang = services.people.language_of(user_id)
        try:
            state = DeclineState.loads(view.get("private_metadata", ""))
            info = decline_invite(services.sessions, _port(services), state.outcome_id, user_id, decline_reason(view),
                                  now=utcnow(), settings=_settings(services))
        except ValueError:
            log.warning("decline modal from %s with forged metadata", user_id)
            return
        except SwarmError as exc:
            log.info("decline by %s refused: %s", user_id, exc)
            _dm(services, user_id, error_text(exc, lang, system=services.settings.case_system))
            return
        if state.dm_channel and state.dm_ts:
            text = t("experts.request.declined", lang, case=info.case_number)
            try:
                services.client.chat_update(channel=state.dm_channel, ts=state.dm_ts, text=text,
                                            blocks=answered_blocks(text))
            except SlackApiError as exc:
                log.info("could not update the DM after a decline: %s", slack_error(exc))

    return decline_submitted


def _dm(services: AppServices, user_id: str, text: str) -> None:
    try:
        channel = services.client.conversations_open(users=user_id)["channel"]["id"]
        services.client.chat_postMessage(channel=channel, text=text)
    except SlackApiError as exc:
        log.info("could not DM %s: %s", user_id, slack_error(exc))


# ---------------------------------------------------------------- background


def on_start(services: AppServices) -> None:
    """Plan every pending answer check (the job store keeps them; this heals any the store lost) and the
    directory refresh. The finder's Korean analyser is not loaded here: it holds ~350-500 MB and seconds of
    CPU, so a process pays for it at its first Korean ranking (after the ack), not at every start."""
    scheduler = services.extras["scheduler"]
    now = utcnow()
    with services.sessions() as session:
        pending = pending_checks(session)
    for outcome_id, due in pending:
        if scheduler.get_job(escalation_job_id(outcome_id)) is None:
            # A date in the past beyond the misfire grace would be dropped: run overdue checks now.
            schedule_once(scheduler, escalation_job_id(outcome_id), ESCALATION_JOB, max(due, now), outcome_id)
    hours = _settings(services).refresh_hours
    if hours:
        scheduler.add_job("bot.listeners.experts:refresh_job", "interval", hours=hours, id=REFRESH_JOB,
                          replace_existing=True)
    if _settings(services).tune_schedule == "monthly":
        scheduler.add_job("bot.jobs:tune_experts", "cron", day=1, hour=3, id=TUNE_JOB,
                          replace_existing=True)
    elif scheduler.get_job(TUNE_JOB) is not None:
        scheduler.remove_job(TUNE_JOB)


def refresh_job() -> None:
    """Directory members re-read from Slack; closed swarms' outcomes settled as contributed or credited."""
    services = job_services()
    now = utcnow()
    with job_run("expert-directory-refresh"):
        refresh_directory(services.sessions, SlackProfileReader(services.client), _settings(services), now=now)
        with services.sessions.begin() as session:
            settle_outcomes(session, since=now - timedelta(days=30))
