"""The buttons of the offer of existing work (bot/offers.py): join that swarm, read it, or open anyway."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App

from bot.errors import answers_errors
from bot.i18n.catalog import t
from bot.listeners.commands import CommandContext, SwarmCommand, open_case
from bot.services import AppServices
from bot.views.existing_work import OfferAction
from bot.views.roundtrip import RoundTripRefused, id_from_text
from swarms.models import Swarm, SwarmStatus
from swarms.opening.case_numbers import is_case_number


def register(app: App, services: AppServices) -> None:
    def lang_of(body: dict) -> str:
        return services.people.cached_language_of((body.get("user") or {}).get("id", ""))

    def just_ack(ack: Ack) -> None:
        ack()

    guard = answers_errors(lang_of, services.settings.case_system)
    app.action(OfferAction.JOIN)(ack=just_ack, lazy=[guard(_join(services))])
    app.action(OfferAction.OPEN_ANYWAY)(ack=just_ack, lazy=[guard(_open_anyway(services))])
    app.action(OfferAction.READ)(just_ack)  # a link button: Slack opens the URL, the app only acknowledges


def _value(body: dict) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def _join(services: AppServices) -> Callable:
    def join(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        lang = services.people.language_of(user_id)
        try:
            swarm_id = id_from_text(_value(body))
        except RoundTripRefused:
            respond(response_type="ephemeral", replace_original=False, text=t("offer.bad_value", lang))
            return
        with services.sessions() as session:
            swarm = session.get(Swarm, swarm_id)
            open_now = swarm is not None and swarm.status == SwarmStatus.OPEN and swarm.channel_id
            channel_id, case_number = (swarm.channel_id or "", swarm.case_number) if open_now else ("", "")
        if not open_now:
            respond(response_type="ephemeral", replace_original=False, text=t("offer.gone", lang))
            return
        services.workspace.invite(channel_id, [user_id])  # Slack's member_joined_channel records the member
        respond(replace_original=True, text=t("offer.joined", lang, channel=channel_id, case=case_number))

    return join


def _open_anyway(services: AppServices) -> Callable:
    def open_anyway(body: dict, respond) -> None:
        user_id, number = body["user"]["id"], _value(body).strip()
        lang = services.people.language_of(user_id)
        if not is_case_number(number):
            respond(response_type="ephemeral", replace_original=False, text=t("offer.bad_value", lang))
            return
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        respond(replace_original=True, text=t("swarm.opening", lang, case=number))
        ctx = CommandContext(services, SwarmCommand("open", (number,), number), user_id, channel_id, lang, respond,
                             {"user_id": user_id, "channel_id": channel_id,
                              "response_url": body.get("response_url", "")})
        open_case(ctx, offer=False)

    return open_anyway
