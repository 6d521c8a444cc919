"""Salesforce Knowledge: a draft article version (`Knowledge__kav`) linked to the case.

The REST plumbing (login, one renewal on 401, 403 REQUEST_LIMIT_EXCEEDED and 5xx as "try later",
call counting) is `vendor_clients.salesforce.SalesforceRest`, shared with the case system; this module only
knows the Knowledge objects.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests

from knowledge_export.exporters.base import ExportRejected, ExportResult, vendor_errors
from knowledge_export.models import ArticleDraft
from knowledge_export.rendering import DEFAULT_OPTIONS, ArticleOptions, summary, to_html
from knowledge_export.similar import ExistingArticle
from knowledge_export.text import slugify
from vendor_clients.errors import VendorUnavailable
from vendor_clients.salesforce import SalesforceApiError, SalesforceConfig, SalesforceRest, TokenProvider
from vendor_clients.soql import format_soql

log = logging.getLogger(__name__)

MAX_URL_NAME_ATTEMPTS = 5
TITLE_MAX = 255
SUMMARY_MAX = 1000
EXISTING_LIMIT = 200
# The article's language (ko/en) → the org's Knowledge language; an org sets its own with a setting.
DEFAULT_LANGUAGES: Mapping[str, str] = {"en": "en_US", "ko": "ko"}

class SalesforceKnowledgeExporter:
    """Creates a Knowledge draft with Title, a unique UrlName, Summary and the body field; links it to the case."""

    name = "salesforce"

    def __init__(
        self,
        rest: SalesforceRest | None = None,
        *,
        instance_url: str = "",
        access_token: str = "",
        token_provider: TokenProvider | None = None,
        session: requests.Session | None = None,
        api_version: str = "61.0",
        body_field: str = "Body__c",
        article_type: str = "Knowledge__kav",
        languages: Mapping[str, str] = DEFAULT_LANGUAGES,
        options: ArticleOptions = DEFAULT_OPTIONS,
    ) -> None:
        if rest is None:
            provider = token_provider or (lambda: (instance_url, access_token))
            rest = SalesforceRest(SalesforceConfig(api_version=api_version), session=session, token_provider=provider)
        self.rest = rest
        self.body_field = body_field
        self.article_type = article_type
        self.languages = dict(languages)
        self.options = options

    def language_of(self, draft: ArticleDraft) -> str:
        """The org's Knowledge language for the article's own language (English when it has none mapped)."""
        return self.languages.get(draft.language) or self.languages.get("en") or "en_US"

    def export(self, draft: ArticleDraft) -> ExportResult:
        # Korean titles are romanised ("인버터 재시작" → "inbeoteo-jaesijak"); a title with nothing left
        # (only symbols) falls back on the draft id, which keeps it unique and stable.
        base = slugify(draft.title, max_length=80, ascii_only=True)
        if base == "article":
            base = f"article-{draft.draft_id}".rstrip("-")
        fields = {
            "Title": draft.title[:TITLE_MAX],
            "Summary": summary(draft, SUMMARY_MAX, self.options),
            "Language": self.language_of(draft),
            self.body_field: to_html(draft, self.options, full_page=False),
        }
        with _errors():
            version_id, created = self._create(fields, base)
            linked = self._link(version_id, draft.case_key)
        url = f"{self.rest.instance_url}/lightning/r/{self.article_type}/{version_id}/view"
        return ExportResult(
            id=version_id, location=url, created=created, system=self.name, url=url, linked_to_case=linked
        )

    def existing_articles(self) -> list[ExistingArticle]:
        """Published and draft articles in the mapped languages, most recently changed first."""
        articles: list[ExistingArticle] = []
        with _errors():
            instance = self.rest.instance_url
            for status in ("Online", "Draft"):
                soql = format_soql(
                    f"SELECT Id, Title, Summary, UrlName FROM {self.article_type} "
                    "WHERE PublishStatus = {} AND Language IN {} ORDER BY LastModifiedDate DESC LIMIT {}",
                    status,
                    sorted(set(self.languages.values())),
                    EXISTING_LIMIT,
                )
                for row in self.rest.query_all(soql):
                    articles.append(
                        ExistingArticle(
                            id=row["Id"],
                            title=row.get("Title") or "",
                            summary=row.get("Summary") or "",
                            url=f"{instance}/lightning/r/{self.article_type}/{row['Id']}/view",
                            source=self.name,
                        )
                    )
        return articles

    def _create(self, fields: dict[str, Any], base: str) -> tuple[str, bool]:
        """POST the version; (id, created). On DUPLICATE_VALUE for UrlName, the holder may be this very draft
        from an earlier attempt whose answer was lost (a time-out, a crash before we recorded it): then it
        is reused, not written twice. Otherwise try `base-2`, `base-3`, …"""
        for attempt in range(1, MAX_URL_NAME_ATTEMPTS + 1):
            url_name = base if attempt == 1 else f"{base}-{attempt}"
            try:
                answer = self.rest.request(
                    "POST", f"sobjects/{self.article_type}", json={**fields, "UrlName": url_name}
                )
            except SalesforceApiError as exc:
                if exc.code == "DUPLICATE_VALUE" and (not exc.fields or "UrlName" in exc.fields):
                    earlier = self._same_draft(url_name, fields)
                    if earlier:
                        log.info("Knowledge draft %s (%s) is this draft from an earlier try; reused", earlier, url_name)
                        return earlier, False
                    log.info("Knowledge UrlName %s is taken; trying another", url_name)
                    continue
                raise
            return str(answer["id"]), True
        raise ExportRejected(f"Salesforce Knowledge: no free UrlName after {MAX_URL_NAME_ATTEMPTS} tries ({base}-N)")

    def _same_draft(self, url_name: str, fields: dict[str, Any]) -> str:
        """The id of the draft version holding `url_name` when its title and summary are ours, else ""."""
        soql = format_soql(
            f"SELECT Id, Title, Summary FROM {self.article_type} "
            "WHERE UrlName = {} AND PublishStatus = 'Draft' AND Language = {} LIMIT 1",
            url_name,
            fields["Language"],
        )
        for row in self.rest.query_all(soql):
            if row.get("Title") == fields["Title"] and (row.get("Summary") or "") == fields["Summary"]:
                return str(row["Id"])
        return ""

    def _link(self, version_id: str, case_key: str) -> bool:
        """Attach the article to the case. The draft exists by now, so a failure here is logged, not raised:
        raising would make the caller retry and create a second draft."""
        if not case_key:
            return False
        try:
            row = self.rest.request(
                "GET", f"sobjects/{self.article_type}/{version_id}", params={"fields": "KnowledgeArticleId"}
            )
            article_id = (row or {}).get("KnowledgeArticleId")
            if not article_id:
                return False
            self.rest.request(
                "POST", "sobjects/CaseArticle", json={"CaseId": case_key, "KnowledgeArticleId": article_id}
            )
        except SalesforceApiError as exc:
            if exc.code == "DUPLICATE_VALUE":  # linked by an earlier try of the same export
                return True
            log.warning("Knowledge draft %s was created but not linked to case %s: %s", version_id, case_key, exc)
            return False
        except VendorUnavailable as exc:
            log.warning("Knowledge draft %s was created but not linked to case %s: %s", version_id, case_key, exc)
            return False
        return True


def _errors():
    return vendor_errors(
        SalesforceApiError,
        lambda exc: f"Salesforce Knowledge refused the draft ({exc.status} {exc.code}): {exc.message}",
    )
