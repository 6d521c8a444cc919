"""Logging set-up: readable lines by default, `LOG_FORMAT=json` for one JSON object a line.

Each line carries the Slack request it belongs to (`event_id` for events, `trigger_id` for commands
and interactions) when there is one: a Bolt middleware puts them in a context variable, and the
listener pool copies the context into the threads it runs lazy work on.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

from korean_analysis import analyser as korean_analyser
from swarms.opening import problem_meaning

REQUEST_IDS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("slack_request_ids",
                                                                                     default=None)
# The HTTP layer hands each request a list; Bolt's middleware names the listener in it (for the ack metric).
REQUEST_LISTENER: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("slack_request_listener",
                                                                                    default=None)
log = logging.getLogger("case_swarm")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(slack_ids)s"


def request_ids_of(body: dict) -> dict[str, str]:
    """The ids that name one Slack request: the event id, or the trigger id (commands have no event id)."""
    ids = {}
    if body.get("event_id"):
        ids["event_id"] = str(body["event_id"])[:64]
    if body.get("trigger_id"):
        ids["trigger_id"] = str(body["trigger_id"])[:64]
    return ids


class _RequestIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ids = REQUEST_IDS.get() or {}
        record.slack = ids
        record.slack_ids = "".join(f" [{key}={value}]" for key, value in ids.items())
        return True


class JsonFormatter(logging.Formatter):
    """One object a line: time, level, logger, message, the Slack ids, the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "thread": record.threadName,
            **getattr(record, "slack", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(*, verbose: bool = False, log_format: str = "text") -> None:
    """Configure the root logger once per run (`force`: main() may run twice in one process)."""
    handler = logging.StreamHandler()
    handler.addFilter(_RequestIds())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler], force=True)
    for noisy in ("slack_bolt", "slack_sdk", "urllib3", "waitress", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_text_analysis(offer_meaning: bool) -> None:
    """Say once, when the process is up, which Korean analysis it uses (kiwipiepy is the `korean` extra) and
    how the offer of existing work compares problems (the sentence encoder is the `meaning` extra)."""
    log.info("Korean analysis: %s", korean_analyser.describe())
    log.info("Offer of existing work compares: %s", problem_meaning.describe(offer_meaning))
