"""One place that turns named errors into a clear, translated answer: never a stack trace."""

from __future__ import annotations

import logging
import uuid

from slack_sdk.errors import SlackApiError

from bot.i18n.catalog import t
from swarms.case_systems.base import CaseNotFound, CaseSystemAuthError, CaseSystemError, CaseSystemUnavailable
from swarms.errors import SwarmError
from swarms.ports import WorkspaceRefused

log = logging.getLogger(__name__)
SYSTEM_NAMES = {"local": "the case store", "salesforce": "Salesforce", "zendesk": "Zendesk"}
SYSTEM_NAMES_KO = {"local": "케이스 저장소", "salesforce": "Salesforce", "zendesk": "Zendesk"}


def system_name(system: str, lang: str) -> str:
    names = SYSTEM_NAMES_KO if lang == "ko" else SYSTEM_NAMES
    return names.get(system, system)


def error_text(exc: BaseException, lang: str, *, system: str = "local") -> str:
    """The message a person reads for `exc`; unknown errors are logged with a reference to quote."""
    name = system_name(system, lang)
    if isinstance(exc, SwarmError):
        return t(exc.message_key, lang, **exc.params)
    if isinstance(exc, CaseNotFound):
        return t("error.case_not_found", lang, case=exc.number, system=name)
    if isinstance(exc, CaseSystemAuthError):
        return t("error.case_system_auth", lang, system=name)
    if isinstance(exc, CaseSystemUnavailable | CaseSystemError):
        return t("error.case_system_down", lang, system=name)
    if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
        retry_after = exc.response.headers.get("Retry-After")
        if not retry_after:  # Slack sends it with every 429; without it, no number is made up
            return t("error.slack_busy_unsaid", lang)
        return t("error.slack_busy", lang, seconds=retry_after)
    if isinstance(exc, WorkspaceRefused) and exc.retry_after is not None:
        return t("error.slack_busy", lang, seconds=max(1, round(exc.retry_after)))
    if isinstance(exc, SlackApiError):
        return t("error.slack_failed", lang, error=exc.response.get("error", "unknown"))
    if isinstance(exc, WorkspaceRefused):
        return t("error.slack_failed", lang, error=exc.code)
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error (ref %s)", ref, exc_info=exc)
    return t("error.generic", lang, ref=ref)


def expected(exc: BaseException) -> bool:
    return isinstance(exc, SwarmError | CaseSystemError)
