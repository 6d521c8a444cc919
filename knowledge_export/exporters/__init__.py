"""Where published drafts go: a folder (default), Salesforce Knowledge or Zendesk Help Center.

Which one is the settings' choice, made in `swarms/knowledge/exporter_choice.py`.
"""

from __future__ import annotations

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
]
