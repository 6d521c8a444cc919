"""The exporter KNOWLEDGE_EXPORT names, built from the settings (knowledge_export knows nothing of them)."""

from __future__ import annotations

import requests

from knowledge_export.exporters import (
    Exporter,
    FolderExporter,
    SalesforceKnowledgeExporter,
    ZendeskHelpCenterExporter,
)
from knowledge_export.rendering import ArticleOptions
from swarms.metrics import count_api_calls
from swarms.settings import Settings
from vendor_clients.salesforce import SalesforceRest
from vendor_clients.zendesk import ZendeskClient


def make_exporter(
    settings: Settings,
    *,
    session: requests.Session | None = None,
    salesforce_rest: SalesforceRest | None = None,
    zendesk_client: ZendeskClient | None = None,
) -> Exporter:
    """The exporter KNOWLEDGE_EXPORT names (checked with the settings at start-up); pass the case system's
    client to share its session and counts."""
    knowledge = settings.knowledge
    options = ArticleOptions(credit_contributors=knowledge.credit_contributors)
    if knowledge.export == "salesforce":
        config = salesforce_rest.config if salesforce_rest else settings.salesforce
        assert config is not None, "Settings reads the Salesforce section when KNOWLEDGE_EXPORT=salesforce"
        return SalesforceKnowledgeExporter(
            salesforce_rest or SalesforceRest(config, session=session, count=count_api_calls("salesforce")),
            body_field=config.knowledge_body_field,
            article_type=config.knowledge_object,
            languages={"en": "en_US", "ko": "ko", **knowledge.salesforce_languages},
            options=options,
        )
    if knowledge.export == "zendesk":
        zendesk = zendesk_client.config if zendesk_client else settings.zendesk
        assert zendesk is not None, "Settings reads the Zendesk section when KNOWLEDGE_EXPORT=zendesk"
        return ZendeskHelpCenterExporter(
            zendesk_client or ZendeskClient(zendesk, session=session, count=count_api_calls("zendesk")),
            section_id=zendesk.help_center_section_id,
            locales={"en": zendesk.help_center_locale, "ko": "ko", **knowledge.zendesk_locales},
            permission_group_id=zendesk.help_center_permission_group_id,
            options=options,
        )
    return FolderExporter(knowledge.folder, options=options)
