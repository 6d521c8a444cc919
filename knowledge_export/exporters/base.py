"""What every exporter answers and raises, whatever the knowledge base."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

from knowledge_export.models import ArticleDraft
from knowledge_export.similar import ExistingArticle
from vendor_clients.errors import VendorAuthError, VendorError, VendorUnavailable

ApiError = TypeVar("ApiError", bound=Exception)


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where a draft went: `location` is what a person opens (a file path or the article's URL)."""

    id: str
    location: str
    created: bool  # False: an earlier export of the same draft was replaced
    system: str = ""  # "folder", "salesforce", "zendesk"
    url: str = ""
    linked_to_case: bool = False
    files: tuple[str, ...] = ()


class ExportError(Exception):
    """The export failed; the message is safe to show a person (no tokens, no article body)."""

    retryable = False


class ExportUnavailable(ExportError):
    """The knowledge base is down, rate limiting or over its API limit: try again later."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExportAuthError(ExportError):
    """The credentials were refused (after one renewal where the system allows it): fix the settings."""


class ExportRejected(ExportError):
    """The knowledge base refused this article (validation, a missing field, no access to the section)."""


@runtime_checkable
class Exporter(Protocol):
    """A place drafts go on Publish. Exporters make drafts only; a person publishes in the knowledge base."""

    name: str

    def export(self, draft: ArticleDraft) -> ExportResult: ...

    def existing_articles(self) -> list[ExistingArticle]:
        """Articles already there, to show beside a new draft (see `similar.find_similar`)."""
        ...


@contextmanager
def vendor_errors(api_error: type[ApiError], refused: Callable[[ApiError], str]) -> Iterator[None]:
    """A vendor client's errors in the exporter's words; `refused` words the API's own refusal."""
    try:
        yield
    except VendorUnavailable as exc:
        raise ExportUnavailable(str(exc), retry_after=exc.retry_after) from None
    except VendorAuthError as exc:
        raise ExportAuthError(str(exc)) from None
    except api_error as exc:
        raise ExportRejected(refused(exc)) from None
    except VendorError as exc:
        raise ExportRejected(str(exc)) from None
