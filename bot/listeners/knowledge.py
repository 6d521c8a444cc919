"""Closing, marks and the knowledge draft review in Slack. Thin: ack, parse, one domain call, render.

Closing runs after the ack (a lazy listener, or the case-change hook); drafting runs as a persistent
job right after, so a restart between the two still drafts. The Close and Edit modals are opened in
the ack handler itself, because a trigger_id lives only 3 seconds. Every review action is checked
again in the domain: a forged button value or view submission from a non-owner is refused there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.errors import error_text
from bot.i18n.catalog import t
from bot.knowledge import gateway as knowledge_gateway
from bot.listeners.commands import CommandContext
from bot.listeners.messages import captured_message, nudge_delivery
from bot.registration import Listeners, team_of
from bot.replies import reply_privately, tell_privately
from bot.services import AppServices
from bot.slack.markup import readable_text
from bot.views.knowledge import (
    DraftRef,
    KnowledgeAction,
    KnowledgeBlock,
    KnowledgeCallback,
    close_modal,
    close_submission,
)
from bot.views.knowledge_review import edit_modal, edit_submission, kind_name
from bot.views.roundtrip import action_value
from knowledge_export.models import Mark
from swarms.case_systems.base import CaseSystemError
from swarms.errors import NotASwarmChannel, SwarmError, SwarmOfAnotherWorkspace
from swarms.knowledge.closing import (
    CloseRequest,
    CloseSource,
    check_may_close,
    top_contributors,
)
from swarms.knowledge.drafts import (
    DraftNotEditable,
    ExportFailed,
    RequiredSectionsEmptied,
    check_may_review,
    discard_draft,
    edit_draft,
    get_draft,
    publish_draft,
)
from swarms.knowledge.marks import add_mark, mark_emoji, mark_for_reaction, remove_mark
from swarms.knowledge.models import MarkVia
from swarms.models import Swarm
from swarms.note_sync.capture import is_captured, syncing_swarm, syncing_swarm_of_message
from swarms.opening.lifecycle import of_workspace, require_swarm

log = logging.getLogger(__name__)


def register(app: App, services: AppServices) -> None:
    """Commands, actions, views, events and background hooks of closing, marks and drafts."""
    services.subcommands.add("close", _close_command, ack_key="knowledge.closing")
    listeners = Listeners(app, services)
    listeners.action(KnowledgeAction.CLOSE_SWARM, _open_close_modal(services))
    listeners.view(KnowledgeCallback.CLOSE_VIEW, lazy=[_submit_close(services)])
    listeners.event("reaction_added", _on_reaction(services, added=True))
    listeners.event("reaction_removed", _on_reaction(services, added=False))
    listeners.shortcut(KnowledgeCallback.MARK_RESOLUTION, _mark_resolution(services))
    listeners.action(KnowledgeAction.EDIT, _open_edit_modal(services))
    listeners.view(KnowledgeCallback.EDIT_VIEW, ack=_save_edits(services), lazy=[_after_edits(services)])
    listeners.action(KnowledgeAction.PUBLISH, lazy=[_publish(services)])
    listeners.action(KnowledgeAction.DISCARD, lazy=[_discard(services)])
    services.hooks.on_case_change.append(knowledge_gateway.on_case_change)
    services.hooks.on_lead.append(knowledge_gateway.on_lead)
    knowledge_gateway.register_work(services)
    services.hooks.after_note_change.append(knowledge_gateway.after_note_change)


# ---------------------------------------------------------------- closing


def _close_command(ctx: CommandContext) -> None:
    services = ctx.services
    with services.sessions() as session:
        swarm = require_swarm(session, ctx.channel_id)
        swarm_id, case_number = swarm.id, swarm.case_number
    words = ctx.command.raw.strip().split(None, 1)
    summary = _readable(services, ctx.team_id, words[1] if len(words) > 1 else "")
    owners = knowledge_gateway.case_owners_for_close(services, swarm_id, ctx.user_id)
    knowledge_gateway.close(services, CloseRequest(swarm_id, ctx.user_id, CloseSource.COMMAND, summary,
                                                   case_owner_ids=owners, team_id=ctx.team_id))
    ctx.answer(t("knowledge.closed_reply", ctx.lang, case=case_number))


def _readable(services: AppServices, team_id: str, text: str) -> str:
    return readable_text(text, user_name=lambda uid: services.people.get(team_id, uid).display_name,
                         channel_name=lambda cid: cid)


def _open_close_modal(services: AppServices) -> Callable:
    def open_modal(ack: Ack, body: dict, client, respond) -> None:
        ack()
        user_id, team_id = body["user"]["id"], team_of(body)
        lang = services.people.cached_language_of(user_id)
        channel_id = (body.get("channel") or {}).get("id", "")
        card = body.get("message") or {}  # the card: a thread swarm's is its thread's parent
        try:
            with services.sessions() as session:
                swarm = of_workspace(require_swarm(session, channel_id, card.get("thread_ts") or card.get("ts")),
                                     team_id)
                swarm_id, case_number, in_thread = swarm.id, swarm.case_number, swarm.in_thread
            owners = knowledge_gateway.case_owners_for_close(services, swarm_id, user_id)
            with services.sessions() as session:
                check_may_close(session, swarm_id, user_id, services.permissions, owners, team_id=team_id)
                credited = top_contributors(session, swarm_id)
        except SwarmError as exc:
            reply_privately(respond, error_text(exc, lang))
            return
        days = services.settings.knowledge.archive_days
        client.views_open(trigger_id=body["trigger_id"],
                          view=close_modal(swarm_id, case_number, credited, lang=lang, archive_days=days,
                                           in_thread=in_thread))

    return open_modal


def _submit_close(services: AppServices) -> Callable:
    def submit(body: dict, view: dict, client) -> None:
        user_id, team_id = body["user"]["id"], team_of(body)
        lang = services.people.cached_language_of(user_id)
        try:
            state, summary, credited = close_submission(view)
        except ValueError:
            log.warning("a close submission with bad metadata from %s was ignored", user_id)
            return
        with services.sessions() as session:
            swarm = session.get(Swarm, state.swarm_id)
            channel_id = swarm.channel_id if swarm else ""
        try:
            owners = knowledge_gateway.case_owners_for_close(services, state.swarm_id, user_id)
            knowledge_gateway.close(services, CloseRequest(state.swarm_id, user_id, CloseSource.BUTTON,
                                                      _readable(services, team_id, summary), credited, owners,
                                                      team_id))
        except (SwarmError, CaseSystemError) as exc:
            text = error_text(exc, lang, system=services.cases.name)
            tell_privately(client, user_id, channel_id or "", text)

    return submit


# ---------------------------------------------------------------- marks


def _on_reaction(services: AppServices, *, added: bool) -> Callable:
    def handle(body: dict, event: dict) -> None:
        item = event.get("item") or {}
        mark = mark_for_reaction(event.get("reaction", ""), mark_emoji(services.settings.knowledge))
        channel_id, ts, user_id = item.get("channel", ""), item.get("ts", ""), event.get("user", "")
        team_id = team_of(body)
        if item.get("type") != "message" or mark is None or not channel_id or not user_id:
            return
        # A reaction names the message, not its thread: a thread swarm's reply is found through its note.
        with services.sessions() as session:
            if syncing_swarm_of_message(session, channel_id, ts) is None:
                return
            known = is_captured(session, channel_id, ts)
        name = services.people.get(team_id, user_id).display_name
        message = None if known or not added else _read_message(services, team_id, channel_id, ts)
        with services.sessions.begin() as session:
            swarm = syncing_swarm_of_message(session, channel_id, ts)
            if swarm is None:
                return
            thread_ts = swarm.thread_ts
            if added:
                change = add_mark(session, swarm, channel_id=channel_id, ts=ts, mark=mark, user_id=user_id,
                                  user_name=name, via=MarkVia.REACTION, event_id=body.get("event_id", ""),
                                  message=message)
            else:
                change = remove_mark(session, swarm, channel_id=channel_id, ts=ts, mark=mark, user_id=user_id,
                                     user_name=name, event_id=body.get("event_id", ""))
        if change.changed:
            nudge_delivery(services)
            _acknowledge_mark(services, team_id, channel_id, user_id, event.get("reaction", ""), mark, added=added,
                              thread_ts=thread_ts)

    return handle


def _acknowledge_mark(services: AppServices, team_id: str, channel_id: str, user_id: str, emoji: str, mark, *,
                      added: bool, thread_ts: str | None = None) -> None:
    """The marker sees that the reaction counted (only they see it; in a thread swarm's thread): what it
    marks and where it goes."""
    lang = services.people.language_of(team_id, user_id)
    key = "knowledge.mark_reaction.added" if added else "knowledge.mark_reaction.removed"
    text = t(key, lang, emoji=f":{emoji.split('::')[0]}:", mark=t(f"knowledge.mark_name.{mark.value}", lang))
    # The mark is recorded; only this may be lost.
    tell_privately(services.slack_for(team_id), user_id, channel_id, text, thread_ts=thread_ts)


def _read_message(services: AppServices, team_id: str, channel_id: str, ts: str):
    """A message the bot never captured (sent before the swarm, or with top-level sync off), read once."""
    found = None
    client = services.slack_for(team_id)
    try:
        answer = client.conversations_history(channel=channel_id, latest=ts, oldest=ts, inclusive=True,
                                                       limit=1)
        found = next((m for m in answer.get("messages", []) if m.get("ts") == ts), None)
        if found is None:
            answer = client.conversations_replies(channel=channel_id, ts=ts, limit=1)
            found = next((m for m in answer.get("messages", []) if m.get("ts") == ts), None)
    except SlackApiError as exc:
        log.info("could not read %s/%s to mark it: %s", channel_id, ts, exc.response.get("error"))
    if found is None or found.get("bot_id"):
        return None
    in_thread = bool(found.get("thread_ts")) and found.get("thread_ts") != ts
    return captured_message(services, team_id, {**found, "channel": channel_id}, event_id="",
                            source="thread" if in_thread else "channel")


def _mark_resolution(services: AppServices) -> Callable:
    def mark(ack: Ack, shortcut: dict, respond) -> None:
        ack()
        user_id, team_id = shortcut["user"]["id"], team_of(shortcut)
        lang = services.people.cached_language_of(user_id)
        channel_id = (shortcut.get("channel") or {}).get("id", "")
        message = shortcut.get("message") or {}
        thread_ts = message.get("thread_ts")
        with services.sessions() as session:
            swarm = syncing_swarm(session, channel_id, thread_ts)
            case_number = swarm.case_number if swarm else ""
            try:
                if swarm is not None:
                    of_workspace(swarm, team_id)  # the channel in the payload can be forged
            except SwarmOfAnotherWorkspace as exc:
                reply_privately(respond, error_text(exc, lang))
                return
        if swarm is None:
            reply_privately(respond, error_text(NotASwarmChannel(), lang))
            return
        if message.get("bot_id"):  # the case card, notices: nobody's answer to the case
            reply_privately(respond, t("knowledge.mark_bot_message", lang))
            return
        if not message.get("ts"):
            reply_privately(respond, t("knowledge.mark_unreadable", lang))
            return
        ts = message["ts"]
        in_thread = bool(message.get("thread_ts")) and message.get("thread_ts") != ts
        captured = captured_message(services, team_id, {**message, "channel": channel_id}, event_id="",
                                    source="thread" if in_thread else "channel")
        name = services.people.get(team_id, user_id).display_name
        with services.sessions.begin() as session:
            change = add_mark(session, syncing_swarm(session, channel_id, thread_ts), channel_id=channel_id, ts=ts,
                              mark=Mark.RESOLUTION, user_id=user_id, user_name=name, via=MarkVia.SHORTCUT,
                              message=captured)
        if change.changed:
            nudge_delivery(services)
        key = "knowledge.marked" if change.recorded else "knowledge.already_marked"
        reply_privately(respond, t(key, lang, case=case_number))

    return mark


# ---------------------------------------------------------------- the draft review


def _draft_ref(body: dict) -> DraftRef:
    return DraftRef.loads(action_value(body))


def _review_error(exc: Exception, lang: str) -> str:
    if isinstance(exc, DraftNotEditable):
        state = str(exc.params.get("state", ""))
        return t("knowledge.draft_state", lang, state=t(f"knowledge.state_name.{state}", lang))
    return error_text(exc, lang)


def _open_edit_modal(services: AppServices) -> Callable:
    def open_modal(ack: Ack, body: dict, client, respond) -> None:
        ack()
        user_id = body["user"]["id"]
        lang = services.people.cached_language_of(user_id)
        try:
            ref = _draft_ref(body)
            with services.sessions() as session:
                record = check_may_review(session, ref.draft_id, user_id, services.permissions,
                                          team_id=team_of(body))
        except ValueError:
            reply_privately(respond, t("knowledge.bad_payload", lang))
            return
        except SwarmError as exc:
            reply_privately(respond, _review_error(exc, lang))
            return
        view = edit_modal(record)
        if view is None:
            reply_privately(respond, t("knowledge.edit_too_long", lang))
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return open_modal


def _save_edits(services: AppServices) -> Callable:
    """The edit is a quick database write, done before the ack so a refusal shows in the modal."""

    def save(ack: Ack, body: dict, view: dict) -> None:
        user_id = body["user"]["id"]
        lang = services.people.cached_language_of(user_id)
        first_block = f"{KnowledgeBlock.EDIT_PREFIX}title.1"
        try:
            submitted = edit_submission(view)
            with services.sessions.begin() as session:
                edit_draft(session, submitted.draft_id, user_id, services.permissions, submitted.sections,
                           team_id=team_of(body), restore=submitted.restore)
        except RequiredSectionsEmptied as exc:
            ack(response_action="errors", errors={f"{KnowledgeBlock.EDIT_PREFIX}{name}.1": error_text(exc, lang)
                                                  for name in exc.sections})
            return
        except ValueError:
            ack(response_action="errors", errors={first_block: t("knowledge.bad_payload", lang)})
            return
        except SwarmError as exc:
            ack(response_action="errors", errors={first_block: _review_error(exc, lang)})
            return
        ack()

    return save


def _after_edits(services: AppServices) -> Callable:
    def refresh(body: dict, view: dict) -> None:
        try:
            submitted = edit_submission(view)
            with services.sessions() as session:  # the ack refused anyone else, in the modal: nothing to redo
                check_may_review(session, submitted.draft_id, body["user"]["id"], services.permissions,
                                 team_id=team_of(body))
        except (ValueError, SwarmError):
            return
        services.knowledge.post_draft(submitted.draft_id, reupload=True)
        if submitted.restore:
            _say_restored(services, submitted.draft_id, body["user"]["id"], submitted.restore)

    return refresh


def _say_restored(services: AppServices, draft_id: int, user_id: str, placeholder: str) -> None:
    """A restore is told in the review's thread, so the channel keeps a record of who restored what."""
    with services.sessions() as session:
        record = get_draft(session, draft_id)
    restored = next((r for r in record.draft.redactions if r.placeholder == placeholder and r.restored), None)
    if restored is None:
        return
    text = t("knowledge.review.restored_post", record.language, user=user_id, placeholder=placeholder,
             kind=kind_name(restored.kind, record.language), case=record.case_number)
    try:
        services.slack_for(record.team_id).chat_postMessage(channel=record.channel_id, text=text,
                                                            thread_ts=record.thread_ts or record.message_ts or None)
    except SlackApiError as exc:
        log.warning("could not say draft %s had %s restored: %s", draft_id, placeholder, exc.response.get("error"))


def _publish(services: AppServices) -> Callable:
    def publish(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        lang = services.people.cached_language_of(user_id)
        try:
            ref = _draft_ref(body)
        except ValueError:
            reply_privately(respond, t("knowledge.bad_payload", lang))
            return
        try:
            record = publish_draft(services.sessions, ref.draft_id, user_id, services.permissions,
                                   services.exporter, team_id=team_of(body))
        except DraftNotEditable as exc:
            reply_privately(respond, _review_error(exc, lang))
            return
        except ExportFailed:
            services.knowledge.post_draft(ref.draft_id)  # the message shows the error and keeps the buttons
            raise
        services.knowledge.post_draft(record.id)
        _post(services, record.team_id, record.channel_id, t("knowledge.published_post", record.language, user=user_id,
                                             case=record.case_number, location=record.export_location),
              thread_ts=record.thread_ts)

    return publish


def _discard(services: AppServices) -> Callable:
    def discard(body: dict, respond) -> None:
        user_id = body["user"]["id"]
        lang = services.people.cached_language_of(user_id)
        try:
            ref = _draft_ref(body)
            with services.sessions.begin() as session:
                record = discard_draft(session, ref.draft_id, user_id, services.permissions,
                                       team_id=team_of(body))
        except ValueError:
            reply_privately(respond, t("knowledge.bad_payload", lang))
            return
        except DraftNotEditable as exc:
            reply_privately(respond, _review_error(exc, lang))
            return
        services.knowledge.post_draft(record.id)

    return discard


def _post(services: AppServices, team_id: str, channel_id: str, text: str, *, thread_ts: str | None = None) -> None:
    try:
        services.slack_for(team_id).chat_postMessage(channel=channel_id, thread_ts=thread_ts, text=text)
    except SlackApiError as exc:
        log.warning("could not post to %s: %s", channel_id, exc.response.get("error"))
