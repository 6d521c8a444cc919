"""Knowledge drafts from closed swarms: draft, redact, render, find similar articles, export. No Slack here."""

from knowledge_export.drafting import draft_article
from knowledge_export.models import ArticleDraft, Mark, Redaction, Section, SwarmMessage, SwarmTranscript
from knowledge_export.redaction import RedactedText, Redactor, by_kind, redact
from knowledge_export.rendering import to_html, to_markdown
from knowledge_export.similar import ExistingArticle, SimilarArticle, find_similar

__all__ = [
    "ArticleDraft",
    "ExistingArticle",
    "Mark",
    "RedactedText",
    "Redaction",
    "Redactor",
    "Section",
    "SimilarArticle",
    "SwarmMessage",
    "SwarmTranscript",
    "by_kind",
    "draft_article",
    "find_similar",
    "redact",
    "to_html",
    "to_markdown",
]
