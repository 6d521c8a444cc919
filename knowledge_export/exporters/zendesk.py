"""Zendesk Help Center: a draft article (`draft: true`) in one configured section.

Calls go through `vendor_clients.zendesk.ZendeskClient`, shared with the case system (auth, 401 / 429
Retry-After / 5xx / 422 mapping).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import requests

from knowledge_export.exporters.base import ExportResult, vendor_errors
from knowledge_export.models import ArticleDraft
from knowledge_export.rendering import DEFAULT_OPTIONS, ArticleOptions, to_html
from knowledge_export.similar import ExistingArticle
from vendor_clients.zendesk import ZendeskApiError, ZendeskClient, ZendeskConfig

MAX_PAGES = 5
RECENT_DRAFTS = 30  # looked through before creating, for this draft from an earlier try
_TAG = re.compile(r"<[^>]+>")


class ZendeskHelpCenterExporter:
    """Creates unpublished Help Center articles; a person publishes them in Zendesk."""

    name = "zendesk"

    def __init__(
        self,
        client: ZendeskClient | None = None,
        *,
        section_id: str,
        subdomain: str = "",
        email: str = "",
        token: str = "",
        oauth_token: str = "",
        locales: Mapping[str, str] | None = None,
        permission_group_id: str = "",
        options: ArticleOptions = DEFAULT_OPTIONS,
        session: requests.Session | None = None,
    ) -> None:
        if client is None:
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", subdomain) or not (oauth_token or (email and token)):
                raise ValueError("a Zendesk subdomain, and an OAuth token or an e-mail with its API token")
            config = ZendeskConfig(f"https://{subdomain}.zendesk.com", email=email, api_token=token,
                                   oauth_token=oauth_token)
            client = ZendeskClient(config, session=session)
        if not str(section_id).isdigit():
            raise ValueError(f"a Help Center section id is numeric, not {section_id!r}")
        self.client = client
        self.section_id = str(section_id)
        # The article's own language (ko/en) → the Help Center locale it is filed under.
        self.locales = {lang: locale.lower() for lang, locale in (locales or {"en": "en-us", "ko": "ko"}).items()}
        self.permission_group_id = permission_group_id
        self.options = options

    def locale_of(self, draft: ArticleDraft) -> str:
        return self.locales.get(draft.language) or self.locales.get("en") or "en-us"

    def _articles_path(self, locale: str) -> str:
        return f"/api/v2/help_center/{locale}/sections/{self.section_id}/articles.json"

    def export(self, draft: ArticleDraft) -> ExportResult:
        locale = self.locale_of(draft)
        article: dict[str, object] = {
            "title": draft.title,
            "body": to_html(draft, self.options, full_page=False),
            "locale": locale,
            "draft": True,
            "user_segment_id": None,  # visible to everyone once a person publishes it; they can narrow it
        }
        if self.permission_group_id:
            article["permission_group_id"] = int(self.permission_group_id)
        with _errors():
            earlier = self._same_draft(article, locale)
            if earlier:
                url = earlier.get("html_url") or ""
                return ExportResult(id=str(earlier.get("id", "")), location=url, created=False, system=self.name,
                                    url=url)
            answer = self.client.request("POST", self._articles_path(locale), json={"article": article})
        created = (answer or {}).get("article") or {}
        article_id = str(created.get("id", ""))
        url = created.get("html_url") or ""
        return ExportResult(id=article_id, location=url, created=True, system=self.name, url=url)

    def _same_draft(self, article: dict[str, object], locale: str) -> dict | None:
        """This very draft, made by an earlier try whose answer was lost (a time-out, a crash before we
        recorded it): an unpublished article among the section's newest with our title and our text."""
        params = {"per_page": RECENT_DRAFTS, "sort_by": "created_at", "sort_order": "desc"}
        page = self.client.request("GET", self._articles_path(locale), params=params) or {}
        text = _plain(str(article["body"]))
        for row in page.get("articles", []):
            if row.get("draft") and row.get("title") == article["title"] and _plain(row.get("body") or "") == text:
                return row
        return None

    def existing_articles(self) -> list[ExistingArticle]:
        """The section's articles in every mapped locale, newest first within each."""
        articles: list[ExistingArticle] = []
        with _errors():
            for locale in dict.fromkeys(self.locales.values()):
                articles += self._existing_in(locale)
        return articles

    def _existing_in(self, locale: str) -> list[ExistingArticle]:
        articles: list[ExistingArticle] = []
        path: str | None = self._articles_path(locale)
        params: dict[str, object] | None = {"per_page": 100, "sort_by": "updated_at", "sort_order": "desc"}
        for _ in range(MAX_PAGES):
            if not path:
                break
            page = self.client.request("GET", path, params=params) or {}
            for row in page.get("articles", []):
                articles.append(
                    ExistingArticle(
                        id=str(row.get("id", "")),
                        title=row.get("title") or "",
                        summary=_plain(row.get("body") or "")[:400],
                        url=row.get("html_url") or "",
                        source=self.name,
                    )
                )
            path, params = page.get("next_page"), None
        return articles


def _plain(body: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", body)).split())


def _errors():
    return vendor_errors(
        ZendeskApiError,
        lambda exc: f"Zendesk Help Center refused the article ({exc.status} {exc.error}): {exc.description}",
    )
