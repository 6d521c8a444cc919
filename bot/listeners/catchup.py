"""Catch-up: a late joiner is told where the swarm stands, and `/swarm catchup` says it again on demand.

The summary is built from the app's own tables (`swarms.opening.catchup`); only the case's status and priority
are asked of the case system, and a case system that is down is named rather than waited for.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.i18n.catalog import t
from bot.listeners.commands import CommandContext
from bot.replies import tell_privately
from bot.services import AppServices
from bot.views.catchup import catchup_message
from swarms.case_systems.base import CaseSystemError
from swarms.models import SwarmStatus
from swarms.opening.catchup import CatchUp, catch_up
from swarms.opening.lifecycle import find_swarm_by_channel, require_swarm

log = logging.getLogger(__name__)


def register(app: App, services: AppServices) -> None:
    services.subcommands.add("catchup", _catchup_command)


def _catchup_command(ctx: CommandContext) -> None:
    with ctx.services.sessions() as session:
        swarm = require_swarm(session, ctx.channel_id)
        catchup = catch_up(session, swarm.id, for_user=ctx.user_id)
    ctx.answer(**render(ctx.services, catchup, ctx.lang))


def catch_up_joiner(services: AppServices, channel_id: str, user_id: str) -> None:
    """After someone joins an open swarm channel with something already said in it: an ephemeral catch-up.

    The opener (who saw it all) and an empty swarm (the card says everything) get nothing."""
    with services.sessions() as session:
        swarm = find_swarm_by_channel(session, channel_id)
        if swarm is None or swarm.status != SwarmStatus.OPEN or swarm.opened_by == user_id:
            return
        catchup = catch_up(session, swarm.id, for_user=user_id)
    if catchup.is_empty:
        return
    message = render(services, catchup, services.people.language_of(user_id))
    # They may have left again already: Slack refusing is logged, there is nothing to repair.
    tell_privately(services.client, user_id, channel_id, message.pop("text"), **message)


def render(services: AppServices, catchup: CatchUp, lang: str) -> dict:
    try:
        case = services.cases.get_case(catchup.case_number)
        status, priority = case.status or "—", case.priority
    except CaseSystemError as exc:
        log.info("catch-up of case %s without its status: %s", catchup.case_number, exc)
        status, priority = t("catchup.case_unreachable", lang), "—"
    return catchup_message(catchup, status=status, priority=priority, lang=lang)
