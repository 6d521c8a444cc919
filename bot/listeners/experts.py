"""The expert finder in Slack: suggestions after a swarm opens, `/swarm experts`, `/swarm invite @a @b`,
Invite buttons, the DM's Join / Decline, and the escalation and directory-refresh jobs.

Listeners ack, parse, call one flow of `swarms.experts.invites`, render. `services.experts`
(bot.experts.gateway) is the one place that turns what those flows need into Web API calls and jobs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import error_text
from bot.i18n.catalog import t
from bot.jobs import scheduled as jobs
from bot.listeners.catchup import catch_up_in_dm
from bot.listeners.commands import CommandContext
from bot.registration import Listeners, acknowledge, team_of
from bot.replies import reply_privately, tell_privately
from bot.services import AppServices
from bot.slack.identity import workspace_url
from bot.slack.workspace import slack_error
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
    suggestion_blocks,
    suggestions_after_invite,
    suggestions_text,
)
from bot.views.roundtrip import action_value
from bot.views.swarm_place import place_text
from swarms.case_systems.base import CaseRecord
from swarms.db import utcnow
from swarms.errors import NotAllowed, SwarmError
from swarms.experts.errors import NothingToInvite
from swarms.experts.invites import (
    InviteResult,
    SwarmInfo,
    accept_invite,
    check_may_invite,
    decline_invite,
    invite_experts,
    pending_checks,
    suggest,
    swarm_info,
)
from swarms.jobs.scheduling import SafeScheduler
from swarms.models import Swarm
from swarms.opening.lifecycle import OpenedSwarm, require_swarm

log = logging.getLogger(__name__)
INVITE_CHUNK = 100  # conversations.invite takes at most 100 users a call
REFRESH_JOB = "experts-refresh"
TUNE_JOB = "experts-tune"  # bot.jobs.scheduled.tune_experts, monthly (EXPERTS_TUNE_SCHEDULE)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def register(app: App, services: AppServices) -> None:
    """Commands, actions, views and background hooks of this feature."""
    services.subcommands.add("experts", _experts_command, ack_key="experts.ack.experts")
    services.subcommands.add("invite", _invite_command, ack_key="experts.ack.invite")
    services.hooks.after_open.append(after_open)
    services.hooks.on_lead.append(on_lead)
    listeners = Listeners(app, services)
    listeners.action(ExpertsAction.INVITE, lazy=[_invite_clicked(services)])
    listeners.action(ExpertsAction.INVITE_ALL, lazy=[_invite_clicked(services)])
    listeners.action(ExpertsAction.JOIN, lazy=[_join_clicked(services)])
    listeners.action(ExpertsAction.DECLINE, _decline_clicked(services))
    listeners.action(ExpertsAction.OPEN_CASE, acknowledge)
    listeners.view(ExpertsCallback.DECLINE, lazy=[_decline_submitted(services)])


# ---------------------------------------------------------------- suggestions


def after_open(services: AppServices, opened: OpenedSwarm) -> None:
    """A new swarm: its card is followed by the top suggestions (and the top N invited, where set)."""
    if not opened.created:
        return
    try:
        post_suggestions(services, opened.team_id, opened.swarm_id, case=opened.case, auto_invite=True)
    except Exception:  # the swarm is open and answered; suggestions failing must not undo that
        log.exception("swarm %s: suggesting experts failed", opened.swarm_id)


def post_suggestions(services: AppServices, team_id: str, swarm_id: int, *, case: CaseRecord | None,
                     auto_invite: bool) -> None:
    settings = services.settings.experts
    ranking, invited = suggest(services.sessions, services.experts, team_id, swarm_id, now=utcnow(),
                               settings=settings, case=case, auto_invite=auto_invite)
    if not ranking.suggestions and not ranking.uncovered_skills:
        return  # an empty directory: nothing worth a message
    info = _swarm_info(services, swarm_id)
    auto = (invited.asked + invited.added) if invited else ()
    services.slack_for(info.team_id).chat_postMessage(
        channel=info.channel_id, thread_ts=info.thread_ts,
        text=suggestions_text(info.case_number, ranking.suggestions, info.language),
        blocks=suggestion_blocks(swarm_id, info.case_number, ranking.suggestions, ranking.uncovered_skills,
                                 lang=info.language, mode=settings.invite_mode, auto_invited=auto),
        unfurl_links=False,
    )


def _swarm_info(services: AppServices, swarm_id: int) -> SwarmInfo:
    with services.sessions() as session:
        return swarm_info(session.get_one(Swarm, swarm_id))


def _experts_command(ctx: CommandContext) -> None:
    """Re-rank for this swarm, leaving out its members and anyone already asked; answered to the asker."""
    services = ctx.services
    with services.sessions() as session:
        swarm_id = require_swarm(session, ctx.channel_id).id
    ranking, _ = suggest(services.sessions, services.experts, ctx.team_id, swarm_id, now=utcnow(),
                         settings=services.settings.experts)
    info = _swarm_info(services, swarm_id)
    ctx.answer(suggestions_text(info.case_number, ranking.suggestions, ctx.lang),
               blocks=suggestion_blocks(swarm_id, info.case_number, ranking.suggestions, ranking.uncovered_skills,
                                        lang=ctx.lang, mode=services.settings.experts.invite_mode))


def parse_mentions(args: Sequence[str]) -> list[str]:
    """Slack escapes mentions in command text as <@U123|name> (or <@U123>)."""
    return list(dict.fromkeys(_MENTION.findall(" ".join(args))))


def _invite_command(ctx: CommandContext) -> None:
    users = parse_mentions(ctx.command.args)
    if not users:
        raise NothingToInvite()
    with ctx.services.sessions() as session:
        swarm_id = require_swarm(session, ctx.channel_id).id
    # People named by hand are a person's choice: invited even if they opted out of suggestions.
    _invite(ctx.services, ctx.team_id, swarm_id, users, clicker=ctx.user_id, channel_id=ctx.channel_id,
            lang=ctx.lang, answer=ctx.answer, by_hand=True)


def _invite(services: AppServices, team_id: str, swarm_id: int, users: list[str], *, clicker: str, channel_id: str,
            lang: str, answer: Callable[..., object], by_hand: bool = False) -> InviteResult:
    port = services.experts
    with services.sessions() as session:
        check_may_invite(session, port, team_id, swarm_id, clicker, from_channel=channel_id,
                         is_admin=services.permissions.is_admin(clicker))
    result = invite_experts(services.sessions, port, team_id, swarm_id, users, invited_by=clicker, now=utcnow(),
                            settings=services.settings.experts, by_hand=by_hand)
    answer(invite_result_text(result, lang))
    return result


# ---------------------------------------------------------------- buttons and the modal


def _invite_clicked(services: AppServices) -> Callable:
    def invite_clicked(body: dict, respond, client) -> None:
        user_id = body["user"]["id"]
        try:
            value = InviteValue.loads(action_value(body))
        except ValueError:
            raise NotAllowed(action="invite_experts") from None
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        lang = services.people.language_of(team_of(body), user_id)

        def answer(text: str) -> None:
            reply_privately(respond, text)

        # No channel in the payload cannot pass as the swarm's channel: "-" never matches one.
        result = _invite(services, team_of(body), value.swarm_id, list(value.user_ids), clicker=user_id,
                         channel_id=channel_id or "-", lang=lang, answer=answer)
        message = body.get("message")
        if isinstance(message, dict) and message.get("ts"):  # an ephemeral `/swarm experts` answer has none
            _show_invited(services, client, value.swarm_id, channel_id, message, result, clicker=user_id)

    return invite_clicked


def _show_invited(services: AppServices, client: WebClient, swarm_id: int, channel_id: str, message: dict,
                  result: InviteResult, *, clicker: str) -> None:
    """Everyone in the channel sees who was invited and by whom; a used button does not stay to be clicked."""
    if not (result.asked or result.added or result.skipped):
        return
    blocks = suggestions_after_invite(message.get("blocks") or [], result, by=clicker,
                                      lang=_swarm_info(services, swarm_id).language)
    try:
        client.chat_update(channel=channel_id, ts=message["ts"], text=str(message.get("text") or ""), blocks=blocks)
    except SlackApiError as exc:  # the invitations went out; the message keeping its buttons is only cosmetic
        log.info("swarm %s: could not update the suggestions message: %s", swarm_id, slack_error(exc))


def _join_clicked(services: AppServices) -> Callable:
    def join_clicked(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        try:
            value = AnswerValue.loads(action_value(body))
        except ValueError:
            raise NotAllowed(action="join_swarm") from None
        info = accept_invite(services.sessions, services.experts, team_of(body), value.outcome_id, user_id,
                             now=utcnow())
        lang = services.people.language_of(info.team_id, user_id)
        if info.thread_ts:
            place = place_text(info.channel_id, info.thread_ts, workspace_url=workspace_url(services, info.team_id),
                               lang=lang)
            text = t("experts.request.joined_thread", lang, place=place, case=info.case_number)
        else:
            text = t("experts.request.joined", lang, channel=info.channel_id, case=info.case_number)
        respond(replace_original=True, text=text, blocks=answered_blocks(text))
        if info.thread_ts:  # no channel joined, so no member_joined_channel and its catch-up: it comes here
            services.executor.submit(catch_up_in_dm, services, info.swarm_id, user_id)

    return join_clicked


def _decline_clicked(services: AppServices) -> Callable:
    def decline_clicked(ack: Ack, body: dict, client) -> None:
        """Open the modal first: the trigger id expires after 3 seconds. Ownership is checked on submit."""
        ack()
        try:
            value = AnswerValue.loads(action_value(body))
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
    def decline_submitted(body: dict, view: dict, client) -> None:
        user_id = body["user"]["id"]
        lang = services.people.language_of(team_of(body), user_id)
        try:
            state = DeclineState.loads(view.get("private_metadata", ""))
            info = decline_invite(services.sessions, services.experts, team_of(body), state.outcome_id, user_id,
                                  decline_reason(view), now=utcnow(), settings=services.settings.experts)
        except ValueError:
            log.warning("decline modal from %s with forged metadata", user_id)
            return
        except SwarmError as exc:
            log.info("decline by %s refused: %s", user_id, exc)
            tell_privately(client, user_id, "", error_text(exc, lang, system=services.settings.case_system))
            return
        if state.dm_channel and state.dm_ts:
            text = t("experts.request.declined", lang, case=info.case_number)
            try:
                client.chat_update(channel=state.dm_channel, ts=state.dm_ts, text=text, blocks=answered_blocks(text))
            except SlackApiError as exc:
                log.info("could not update the DM after a decline: %s", slack_error(exc))

    return decline_submitted


# ---------------------------------------------------------------- background


def on_lead(services: AppServices, scheduler: SafeScheduler) -> None:
    """Plan every pending answer check (the job store keeps them; this heals any the store lost), the
    directory refresh and the tuning. The finder's Korean analyser is not loaded here: it holds ~350-500 MB
    and seconds of CPU, so a process pays for it at its first Korean ranking (after the ack), not at every
    start."""
    now = utcnow()
    with services.sessions() as session:
        pending = pending_checks(session)
    for outcome_id, due in pending:
        # A date in the past beyond the misfire grace would be dropped: run overdue checks now.
        jobs.plan_answer_check(scheduler, outcome_id, max(due, now), unless_planned=True)
    jobs.plan_expert_jobs(services, scheduler)
