"""The buttons of the offer of existing work (bot/opening/offers.py): join that swarm, read it, or open anyway."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bot.i18n.catalog import t
from bot.listeners.commands import (
    CommandContext,
    SwarmCommand,
    join_open_swarm,
    open_case,
    parse_swarm_command,
)
from bot.opening.queued_opening import opened_text
from bot.registration import Listeners, acknowledge, team_of
from bot.replies import reply_privately
from bot.services import AppServices
from bot.views.existing_work import OfferAction
from bot.views.roundtrip import RoundTripRefused, action_value, id_from_text
from swarms.opening.case_numbers import is_case_number
from swarms.opening.lifecycle import joinable_swarm


def register(app: App, services: AppServices) -> None:
    listeners = Listeners(app, services)
    listeners.action(OfferAction.JOIN, lazy=[_join(services)])
    listeners.action(OfferAction.OPEN_ANYWAY, lazy=[_open_anyway(services)])
    listeners.action(OfferAction.READ, acknowledge)  # a link button: Slack opens the URL, the app only acknowledges


def _join(services: AppServices) -> Callable:
    def join(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        lang = services.people.language_of(team_of(body), user_id)
        try:
            swarm_id = id_from_text(action_value(body))
        except RoundTripRefused:
            reply_privately(respond, t("offer.bad_value", lang))
            return
        opened = joinable_swarm(services.sessions, swarm_id, team_of(body))
        if opened is None:
            reply_privately(respond, t("offer.gone", lang))
            return
        join_open_swarm(services, opened, user_id)
        text = (opened_text(services, opened, lang, already=True) if opened.thread_ts
                else t("offer.joined", lang, channel=opened.channel_id, case=opened.case.number))
        respond(replace_original=True, text=text)

    return join


def _open_anyway(services: AppServices) -> Callable:
    def open_anyway(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        lang = services.people.language_of(team_of(body), user_id)
        try:  # the command as typed: `00001026 --thread`
            command = parse_swarm_command(action_value(body)[:100], ())
        except RoundTripRefused:
            command = SwarmCommand("bad_case")
        if command.word != "open" or not is_case_number(command.args[0]):
            reply_privately(respond, t("offer.bad_value", lang))
            return
        number = command.args[0]
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        respond(replace_original=True, text=t("swarm.opening", lang, case=number))
        ctx = CommandContext(services, command, team_of(body), user_id, channel_id, lang, respond,
                             {"user_id": user_id, "channel_id": channel_id,
                              "response_url": body.get("response_url", "")})
        open_case(ctx, offer=False)

    return open_anyway
