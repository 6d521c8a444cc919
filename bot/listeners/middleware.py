"""Global middleware: drop Slack's retries of events we already handled, and ignore our own echoes."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse
from sqlalchemy import select

from bot.errors import error_text, expected
from bot.services import AppServices
from swarms.models import ProcessedEvent

log = logging.getLogger(__name__)


def register(app: App, services: AppServices) -> None:
    @app.middleware
    def skip_handled_events(body: dict, request, next) -> BoltResponse | None:
        # Only Slack's retries need the lookup; a first delivery is deduplicated by the capture itself.
        retry = (request.headers.get("x-slack-retry-num") or [None])[0] if request is not None else None
        event_id = body.get("event_id") if body.get("type") == "event_callback" and retry else None
        if event_id and _already_handled(services, event_id):
            log.info("event %s already handled; ignoring Slack's retry", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    @app.error
    def answer_error(error: Exception, body: dict, respond, logger) -> None:
        """Errors of non-lazy listeners (actions, views): a clear ephemeral answer where possible."""
        if not expected(error):
            logger.exception("listener failed", exc_info=error)
        user_id = (body.get("user") or {}).get("id") or body.get("user_id") or ""
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            lang = services.people.cached_language_of(user_id)
            respond(response_type="ephemeral", replace_original=False,
                    text=error_text(error, lang, system=services.settings.case_system))


def _already_handled(services: AppServices, event_id: str) -> bool:
    with services.sessions() as session:
        return session.scalar(select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == event_id)) is not None
