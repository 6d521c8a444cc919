"""Global middleware: name and time each request, drop Slack's retries of events we already handled."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse
from sqlalchemy import select

from bot.errors import error_text, expected
from bot.registration import user_of
from bot.replies import reply_privately
from bot.services import AppServices
from bot.serving.logs import REQUEST_IDS, REQUEST_LISTENER, request_ids_of
from swarms.metrics import EVENTS_DEDUPLICATED
from swarms.models import ProcessedEvent

log = logging.getLogger(__name__)


def register(app: App, services: AppServices) -> None:
    @app.middleware
    def observe_request(body: dict, next) -> BoltResponse | None:
        """Log lines of this request carry its event or trigger id; the HTTP layer learns which listener it
        is for, to time its ack (process_before_response: Slack's answer waits for the listener)."""
        named = REQUEST_LISTENER.get()
        if named is not None:
            named.append(listener_of(body))
        REQUEST_IDS.set(request_ids_of(body))  # this request's thread and the lazy work it submits
        next()
        return None

    @app.middleware
    def skip_handled_events(body: dict, request, next) -> BoltResponse | None:
        # Only Slack's retries need the lookup; a first delivery is deduplicated by the capture itself.
        retry = (request.headers.get("x-slack-retry-num") or [None])[0] if request is not None else None
        event_id = body.get("event_id") if body.get("type") == "event_callback" and retry else None
        if event_id and _already_handled(services, event_id):
            log.info("event %s already handled; ignoring Slack's retry", event_id)
            EVENTS_DEDUPLICATED.labels("slack_retry").inc()
            return BoltResponse(status=200, body="")
        next()
        return None

    @app.error
    def answer_error(error: Exception, body: dict, respond, logger) -> None:
        """Errors of non-lazy listeners (actions, views): a clear ephemeral answer where possible."""
        if not expected(error):
            logger.exception("listener failed", exc_info=error)
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            lang = services.people.cached_language_of(user_of(body))
            reply_privately(respond, error_text(error, lang, system=services.settings.case_system))


def listener_of(body: dict) -> str:
    """A bounded name for what the request is: /swarm, event:message, action:<id>, view:<callback id>."""
    kind = body.get("type") or ""
    if body.get("command"):
        return str(body["command"])[:40]
    if kind == "event_callback":
        event = body.get("event") or {}
        subtype = event.get("subtype")
        return f"event:{event.get('type', '?')}" + (f":{subtype}" if subtype else "")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return f"action:{str(actions[0].get('action_id', '?'))[:60]}"
    if kind in ("view_submission", "view_closed"):
        return f"view:{str((body.get('view') or {}).get('callback_id', '?'))[:60]}"
    if kind in ("shortcut", "message_action"):
        return f"shortcut:{str(body.get('callback_id', '?'))[:60]}"
    return kind[:40] or "unknown"


def _already_handled(services: AppServices, event_id: str) -> bool:
    with services.sessions() as session:
        return session.scalar(select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == event_id)) is not None
