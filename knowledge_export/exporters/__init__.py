"""Where published drafts go: a folder (default), Salesforce Knowledge or Zendesk Help Center."""

from __future__ import annotations

from collections.abc import Mapping

import requests

from knowledge_export.exporters.base import (
    ExportAuthError,
    Exporter,
    ExportError,
    ExportRejected,
    ExportResult,
    ExportUnavailable,
)
from knowledge_export.exporters.folder import FolderExporter
from knowledge_export.exporters.salesforce import SalesforceKnowledgeExporter
from knowledge_export.exporters.zendesk import ZendeskHelpCenterExporter
from swarms.case_systems.salesforce_auth import SalesforceConfig, SalesforceRest
from swarms.case_systems.zendesk_client import ZendeskClient, ZendeskConfig
from swarms.settings import SettingsError

__all__ = [
    "ExportAuthError",
    "ExportError",
    "ExportRejected",
    "ExportResult",
    "ExportUnavailable",
    "Exporter",
    "FolderExporter",
    "SalesforceKnowledgeExporter",
    "ZendeskHelpCenterExporter",
    "make_exporter",
]

KINDS = ("folder", "salesforce", "zendesk")


def make_exporter(
    env: Mapping[str, str],
    *,
    session: requests.Session | None = None,
    salesforce_rest: SalesforceRest | None = None,
    zendesk_client: ZendeskClient | None = None,
) -> Exporter:
    """The exporter KNOWLEDGE_EXPORT names; pass the case system's client to share its session and counts."""

    def get(name: str, default: str = "") -> str:
        return (env.get(name) or "").strip() or default

    kind = get("KNOWLEDGE_EXPORT", "folder").lower()
    if kind == "folder":
        return FolderExporter(get("KNOWLEDGE_FOLDER", "./knowledge"), lang=get("KNOWLEDGE_LANGUAGE"))
    if kind == "salesforce":
        config = salesforce_rest.config if salesforce_rest else SalesforceConfig.from_env(env)
        return SalesforceKnowledgeExporter(
            salesforce_rest or SalesforceRest(config, session=session),
            body_field=config.knowledge_body_field,
            article_type=config.knowledge_object,
            language=get("SALESFORCE_KNOWLEDGE_LANGUAGE", "en_US"),
        )
    if kind == "zendesk":
        config = zendesk_client.config if zendesk_client else ZendeskConfig.from_env(env)
        if not config.help_center_section_id:
            raise SettingsError("ZENDESK_HELP_CENTER_SECTION_ID", "the Help Center section that receives drafts")
        return ZendeskHelpCenterExporter(
            zendesk_client or ZendeskClient(config, session=session),
            section_id=config.help_center_section_id,
            locale=config.help_center_locale,
            permission_group_id=config.help_center_permission_group_id,
        )
    raise SettingsError("KNOWLEDGE_EXPORT", f"one of {', '.join(KINDS)}, not {kind!r}")
