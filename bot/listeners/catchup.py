"""Catch-up: a late joiner is told where the swarm stands, and `/swarm catchup` says it again on demand.

The summary is built from the app's own tables (`swarms.opening.catchup`); only the case's status and priority
are asked of the case system, and a case system that is down is named rather than waited for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.i18n.catalog import t
from bot.listeners.commands import CommandContext
from bot.registration import Listeners, team_of
from bot.replies import reply_privately, tell_privately
from bot.services import AppServices
from bot.views.case_card import CaseCardAction
from bot.views.catchup import catchup_message
from swarms.case_systems.base import CaseSystemError
from swarms.models import Swarm, SwarmStatus
from swarms.opening.catchup import CatchUp, catch_up
from swarms.opening.lifecycle import find_swarm_at, require_swarm

log = logging.getLogger(__name__)


def register(app: App, services: AppServices) -> None:
    services.subcommands.add("catchup", _catchup_command)
    Listeners(app, services).action(CaseCardAction.CATCH_UP, lazy=[_catchup_clicked(services)])


def _catchup_clicked(services: AppServices) -> Callable:
    """Catch me up on a thread swarm's card (Slack takes no `/swarm catchup` in a thread): shown in the thread,
    to the clicker only."""

    def clicked(body: dict, respond, client) -> None:
        user_id = body["user"]["id"]
        lang = services.people.language_of(team_of(body), user_id)
        channel_id = (body.get("channel") or {}).get("id", "")
        card = body.get("message") or {}
        with services.sessions() as session:
            swarm = require_swarm(session, channel_id, card.get("thread_ts") or card.get("ts"))
            thread_ts = swarm.thread_ts
            catchup = catch_up(session, swarm.id, for_user=user_id)
        message = render(services, catchup, lang)
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, thread_ts=thread_ts, **message)
        except SlackApiError as exc:  # not a member of a public team channel: the button's own answer
            log.info("catch-up for %s in %s as a response: %s", user_id, channel_id, exc.response.get("error"))
            reply_privately(respond, **message)

    return clicked


def catch_up_in_dm(services: AppServices, swarm_id: int, user_id: str) -> None:
    """Someone who joined a thread swarm (no channel to join, so no member_joined_channel) gets the catch-up
    beside their Join answer, in the DM."""
    with services.sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        if swarm is None or swarm.status != SwarmStatus.OPEN:
            return
        catchup = catch_up(session, swarm.id, for_user=user_id)
        team_id = swarm.team_id
    if catchup.is_empty:
        return
    message = render(services, catchup, services.people.language_of(team_id, user_id))
    tell_privately(services.slack_for(team_id), user_id, "", message.pop("text"), **message)  # "": by DM


def _catchup_command(ctx: CommandContext) -> None:
    with ctx.services.sessions() as session:
        swarm = require_swarm(session, ctx.channel_id)
        catchup = catch_up(session, swarm.id, for_user=ctx.user_id)
    ctx.answer(**render(ctx.services, catchup, ctx.lang))


def catch_up_joiner(services: AppServices, team_id: str, channel_id: str, user_id: str) -> None:
    """After someone joins an open swarm channel with something already said in it: an ephemeral catch-up.

    The opener (who saw it all) and an empty swarm (the card says everything) get nothing."""
    with services.sessions() as session:
        swarm = find_swarm_at(session, channel_id)
        if swarm is None or swarm.status != SwarmStatus.OPEN or swarm.opened_by == user_id:
            return
        catchup = catch_up(session, swarm.id, for_user=user_id)
    if catchup.is_empty:
        return
    message = render(services, catchup, services.people.language_of(team_id, user_id))
    # They may have left again already: Slack refusing is logged, there is nothing to repair.
    tell_privately(services.slack_for(team_id), user_id, channel_id, message.pop("text"), **message)


def render(services: AppServices, catchup: CatchUp, lang: str) -> dict:
    try:
        case = services.cases.get_case(catchup.case_number)
        status, priority = case.status or "—", case.priority
    except CaseSystemError as exc:
        log.info("catch-up of case %s without its status: %s", catchup.case_number, exc)
        status, priority = t("catchup.case_unreachable", lang), "—"
    return catchup_message(catchup, status=status, priority=priority, lang=lang)
