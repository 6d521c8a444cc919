""""Swarm on this case": a message shortcut that opens (or joins) the swarm of the case a message names.

Works on any message the shortcut reaches: a customer's, a colleague's, an alert another app posted, in
a public or private channel or a DM. The case number is read from the message's text, its blocks and
attachments (alerts keep theirs there) by the team's pattern; several numbers are offered as a choice,
none (or another case) is found by searching the case system in the modal. The message becomes the
swarm's first note and the case card links to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.errors import error_text
from bot.i18n.catalog import t
from bot.listeners.commands import CommandContext, SwarmCommand, open_case
from bot.listeners.messages import captured_message, nudge_delivery
from bot.listeners.note_sync import read_message
from bot.registration import Listeners, team_of
from bot.replies import reply_privately
from bot.services import AppServices
from bot.slack.work_queue import NotYet
from bot.views.case_card import case_card_blocks, case_card_text
from bot.views.note_sync import AddToCaseState
from bot.views.swarm_from_message import (
    FromMessageAction,
    FromMessageBlock,
    FromMessageCallback,
    FromMessageState,
    case_options,
    from_message_modal,
    origin_block,
    picked_number,
)
from swarms.case_systems.base import CaseSystemError
from swarms.errors import AlreadySynced, SwarmError
from swarms.jobs.claimed_work import WorkItem
from swarms.models import Swarm, SwarmStatus
from swarms.note_sync.capture import add_message_to_swarm
from swarms.opening.case_numbers import compile_case_pattern, find_case_numbers, is_case_number
from swarms.opening.lifecycle import OpenedSwarm, live_swarm_numbered, opened_swarm, remembered_case

log = logging.getLogger(__name__)


START_FROM = "swarm.start_from_message"  # claimed work: keep the message once its swarm is open
WAIT_FOR_OPENING_SECONDS = 5.0


def register(app: App, services: AppServices) -> None:
    services.slack_queue.handle(START_FROM, lambda item: _start_when_open(services, item))
    listeners = Listeners(app, services)
    listeners.shortcut(FromMessageCallback.SHORTCUT, ack=_open_modal(services), lazy=[_in_their_language(services)])
    listeners.options(FromMessageAction.SEARCH, _search(services))
    listeners.view(FromMessageCallback.VIEW, ack=_check_submission(services), lazy=[_open_from_message(services)])


def message_texts(message: dict) -> str:
    """Everything a person reads in a message: its text, its blocks' texts and its attachments (alerts)."""
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        parts.extend(_block_texts(block))
    for attachment in message.get("attachments") or []:
        parts.extend(str(attachment.get(k) or "") for k in ("pretext", "title", "text", "fallback"))
        parts.extend(f"{f.get('title', '')} {f.get('value', '')}" for f in attachment.get("fields") or [])
    return "\n".join(part for part in parts if part)


def _block_texts(block: dict) -> list[str]:
    texts = [block.get("text", {}).get("text", "")] if isinstance(block.get("text"), dict) else []
    texts += [f.get("text", "") for f in block.get("fields") or [] if isinstance(f, dict)]
    texts += [e.get("text", "") for e in block.get("elements") or [] if isinstance(e, dict)
              and isinstance(e.get("text"), str)]
    return texts


def _open_modal(services: AppServices) -> Callable:
    def open_modal(ack: Ack, shortcut: dict, client) -> None:
        """The trigger lives 3 seconds: the modal opens at once in the language known so far."""
        ack()
        lang = services.people.cached_language_of(shortcut["user"]["id"])
        client.views_open(trigger_id=shortcut["trigger_id"], view=_modal_for(services, shortcut, lang))

    return open_modal


def _modal_for(services: AppServices, shortcut: dict, lang: str) -> dict:
    message = shortcut.get("message") or {}
    text = message_texts(message)
    state = FromMessageState(shortcut["channel"]["id"], message.get("ts") or shortcut.get("message_ts", ""),
                             message.get("thread_ts") or "", message.get("user") or "",
                             text, shortcut.get("response_url") or "",
                             message.get("username") or (message.get("bot_profile") or {}).get("name") or "")
    numbers = find_case_numbers(text, compile_case_pattern(services.settings.opening.case_pattern))
    return {**from_message_modal(numbers, state, excerpt=text, lang=lang), "external_id": _external_id(shortcut)}


def _external_id(shortcut: dict) -> str:
    """Names the modal so the lazy step can update it without its view id (unique per trigger)."""
    return "swarm-from-message." + str(shortcut.get("trigger_id", ""))[-64:]


def _in_their_language(services: AppServices) -> Callable:
    def relabel(shortcut: dict, client) -> None:
        """Someone the bot did not know yet got the team's default language: now that Slack has told us
        theirs, the open modal is shown again in it (nothing they picked is lost: pickers keep state)."""
        user_id = shortcut["user"]["id"]
        guessed = services.people.cached_language_of(user_id, unknown="")
        if guessed:
            return
        lang = services.people.language_of(team_of(shortcut), user_id)
        if lang == services.settings.default_language:
            return
        view = _modal_for(services, shortcut, lang)
        try:
            client.views_update(external_id=view.pop("external_id"), view=view)
        except SlackApiError as exc:  # closed or submitted meanwhile: nothing to relabel
            log.info("swarm from message: modal not relabelled (%s)", exc.response.get("error"))

    return relabel


def _search(services: AppServices) -> Callable:
    def search(ack: Ack, body: dict) -> None:
        lang = services.people.cached_language_of(body.get("user", {}).get("id", ""))
        try:
            hits = services.cases.search_cases(str(body.get("value") or ""))
        except CaseSystemError as exc:  # an options answer cannot carry a message: log, offer nothing
            log.info("case search failed: %s", exc)
            hits = []
        ack(**case_options(hits, lang))

    return search


def _check_submission(services: AppServices) -> Callable:
    def check(ack: Ack, body: dict, view: dict) -> None:
        lang = services.people.cached_language_of(body["user"]["id"])
        number = picked_number(view)
        block = FromMessageBlock.SEARCH
        if not number:
            ack(response_action="errors", errors={block: t("from_message.pick_one", lang)})
        elif not is_case_number(number):
            ack(response_action="errors", errors={block: t("from_message.bad_pick", lang)})
        else:
            ack()  # the modal closes; the answer comes where the shortcut was used

    return check


def _open_from_message(services: AppServices) -> Callable:
    def run(body: dict, view: dict) -> None:
        user_id, number = body["user"]["id"], picked_number(view)
        try:
            state = FromMessageState.loads(view.get("private_metadata", ""))
        except ValueError:
            log.info("swarm from message: a forged or damaged state from %s", user_id)
            return
        if not is_case_number(number):
            return  # refused in the ack
        team_id = team_of(body)
        lang = services.people.language_of(team_id, user_id)
        respond = _responder(services, team_id, state, user_id)
        ctx = CommandContext(services, SwarmCommand("open", (number,), number), team_id, user_id,
                             state.channel_id, lang, respond, {"user_id": user_id, "channel_id": state.channel_id,
                                       "trigger_id": body.get("trigger_id", ""), "response_url": state.response_url})
        try:
            opened = open_case(ctx)
        except Exception as exc:  # the same answers /swarm gives: in words, never a trace
            reply_privately(respond, error_text(exc, lang, system=services.settings.case_system))
            return
        if opened is not None:
            _start_from(services, opened, state, user_id, respond)
        else:  # Slack holds the opening back (or another replica has it): keep the message once it is open
            services.slack_queue.enqueue(START_FROM, {"case": number, "state": state.dumps(), "user": user_id},
                                         team_id=team_id, key=f"start_from:{state.channel_id}:{state.ts}",
                                         priority=160)

    return run


def _start_from(services: AppServices, opened: OpenedSwarm, state: FromMessageState, user_id: str,
                respond: Callable[..., object]) -> None:
    """The message becomes the swarm's first note; a new swarm's card says where it started."""
    message = {"channel": state.channel_id, "ts": state.ts, "thread_ts": state.thread_ts or None,
               "user": state.user_id, "text": state.text or "", "username": state.app_name}
    if state.text is None:  # too long to keep in the modal: read again from Slack
        try:
            kept = AddToCaseState(state.channel_id, state.ts, state.thread_ts, state.user_id)
            message = {**read_message(services, opened.team_id, kept), **_where(state)}
        except (SwarmError, SlackApiError) as exc:
            log.info("swarm %s: the starting message could not be read again: %s", opened.swarm_id, exc)
            lang = services.people.language_of(opened.team_id, user_id)
            reply_privately(respond, t("from_message.not_kept", lang))
            return
    captured = captured_message(services, opened.team_id, message, event_id="", source="shortcut")
    try:
        with services.sessions.begin() as session:
            add_message_to_swarm(session, opened.swarm_id, captured, team_id=opened.team_id, user_id=user_id,
                                 may_choose_any=True)
            swarm = session.get_one(Swarm, opened.swarm_id)
            card_ts, lang = swarm.card_ts, swarm.language
    except AlreadySynced:
        return  # the same message started (or was added to) a swarm before
    except SwarmError as exc:
        log.info("swarm %s: the starting message was not kept: %s", opened.swarm_id, exc)
        return
    nudge_delivery(services)
    if opened.created and card_ts:
        author = f"<@{state.user_id}>" if state.user_id else state.app_name or t("from_message.an_app", lang)
        blocks = [*case_card_blocks(opened.case, lang=lang, in_thread=bool(opened.thread_ts)),
                  origin_block(captured.permalink, author, lang)]
        try:
            services.slack_for(opened.team_id).chat_update(channel=opened.channel_id, ts=card_ts, blocks=blocks,
                                                           text=case_card_text(opened.case, lang))
        except SlackApiError as exc:
            log.info("swarm %s: card not linked to its message (%s)", opened.swarm_id, exc.response.get("error"))


def _start_when_open(services: AppServices, item: WorkItem) -> None:
    """Claimed work (any replica): the swarm of the case is open now, or this waits and tries again."""
    state, user_id = FromMessageState.loads(item.payload["state"]), str(item.payload["user"])
    with services.sessions() as session:
        swarm = live_swarm_numbered(session, item.team_id, services.cases.name, str(item.payload["case"]))
        if swarm is None:
            return  # the opening was abandoned (the case closed meanwhile): nothing to keep it in
        if swarm.status != SwarmStatus.OPEN or not swarm.card_ts:
            raise NotYet(WAIT_FOR_OPENING_SECONDS, "the swarm is still being opened")
        opened = opened_swarm(swarm, remembered_case(swarm), created=False)
    if swarm.opened_by == user_id:  # their swarm: its card links the message, drawn from the case as it is
        try:
            opened = replace(opened, case=services.cases.get_case(opened.case.number), created=True)
        except CaseSystemError as exc:
            log.info("swarm %s: card not linked to its message (%s)", opened.swarm_id, exc)
    _start_from(services, opened, state, user_id,
                _responder(services, item.team_id, replace(state, response_url=""), user_id))


def _where(state: FromMessageState) -> dict:
    return {"channel": state.channel_id, "ts": state.ts, "username": state.app_name}


def _responder(services: AppServices, team_id: str, state: FromMessageState,
               user_id: str) -> Callable[..., object]:
    """Answers go where the shortcut was used (its response_url); without one, to the person by DM."""

    def respond(**message: object) -> None:
        if state.response_url:
            WebhookClient(state.response_url).send_dict(message)
            return
        services.slack_for(team_id).chat_postMessage(channel=user_id, text=str(message.get("text", "")))

    return respond
