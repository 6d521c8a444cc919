"""Markdown and HTML files in a folder: the default exporter, and what the demo uses."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from knowledge_export.exporters.base import ExportError, ExportResult
from knowledge_export.models import ArticleDraft
from knowledge_export.rendering import DEFAULT_OPTIONS, ArticleOptions, to_html, to_markdown
from knowledge_export.similar import ExistingArticle
from knowledge_export.text import slugify

MAX_FRONT_MATTER_LINES = 12


class FolderExporter:
    """Writes `<slug>-<draft_id>.md` and `.html`; exporting the same draft again replaces both files."""

    name = "folder"

    def __init__(self, folder: str | os.PathLike[str], *, options: ArticleOptions = DEFAULT_OPTIONS) -> None:
        self.folder = Path(folder)
        self.options = options

    def export(self, draft: ArticleDraft) -> ExportResult:
        if not draft.draft_id or not all(c.isalnum() or c in "-_" for c in draft.draft_id):
            raise ExportError(f"draft id {draft.draft_id!r} cannot name a file")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stem = f"{slugify(draft.title)}-{draft.draft_id}"
            earlier = sorted(self._files_of(draft.draft_id))
            markdown = self.folder / f"{stem}.md"
            page = self.folder / f"{stem}.html"
            _write_atomically(markdown, to_markdown(draft, self.options))
            _write_atomically(page, to_html(draft, self.options))
            for stale in earlier:  # the title changed since the last export: the old names go
                if stale not in (markdown, page):
                    stale.unlink(missing_ok=True)
        except OSError as exc:
            raise ExportError(f"could not write the article to {self.folder}: {exc.strerror or exc}") from None
        return ExportResult(
            id=draft.draft_id,
            location=str(markdown),
            created=not earlier,
            system=self.name,
            url=markdown.resolve().as_uri(),
            files=(str(markdown), str(page)),
        )

    def existing_articles(self) -> list[ExistingArticle]:
        if not self.folder.is_dir():
            return []
        articles = []
        for path in sorted(self.folder.glob("*.md")):
            front = _front_matter(path)
            articles.append(
                ExistingArticle(
                    id=front.get("draft_id") or path.stem,
                    title=front.get("title") or path.stem.replace("-", " "),
                    summary=front.get("summary", ""),
                    url=path.resolve().as_uri(),
                    source=self.name,
                )
            )
        return articles

    def _files_of(self, draft_id: str) -> list[Path]:
        return [p for p in self.folder.glob(f"*-{draft_id}.*") if p.suffix in (".md", ".html")]


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename over it: a reader never sees half an article."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _front_matter(path: Path) -> dict[str, str]:
    """The `key: "json string"` lines `to_markdown` writes between `---` lines; anything else is ignored."""
    values: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8") as file:
            if file.readline().strip() != "---":
                return values
            for _ in range(MAX_FRONT_MATTER_LINES):
                line = file.readline().strip()
                if line == "---" or not line:
                    break
                key, _, raw = line.partition(": ")
                try:
                    value = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(value, str):
                    values[key] = value
    except (OSError, UnicodeDecodeError):
        return {}
    return values
