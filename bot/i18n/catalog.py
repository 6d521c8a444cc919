"""The one message catalog: every text the bot shows, in English and Korean.

Entries live in `messages/*.toml`, one file per feature, each key with an `en` and a `ko` text using
`str.format` fields. A count that names a thing takes its forms in the field, `{notes:plural=note/notes}`
("1 note", "3 notes"); Korean has no plural and writes `{notes}`.
Loading checks that both languages exist and name the same fields, so a missing
translation fails the tests, not a user.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "ko")
BOTH = "both"  # not a language: every language, for a reader whose language is not known yet
MESSAGES_DIR = Path(__file__).parent / "messages"


class CatalogError(Exception):
    pass


def language_for_locale(locale: str | None, default: str = "en") -> str:
    """Slack locales look like "ko-KR" or "en-US"; we speak the language part when we have it."""
    lang = (locale or "").split("-")[0].split("_")[0].lower()
    return lang if lang in LANGUAGES else default


class Catalog:
    def __init__(self, entries: Mapping[str, Mapping[str, str]]) -> None:
        self._entries = dict(entries)

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def has(self, key: str) -> bool:
        return key in self._entries

    def text(self, key: str, lang: str = "en", /, **params: object) -> str:
        """The text for `key` in `lang` (English where the language is unknown), fields filled in."""
        entry = self._entries.get(key)
        if entry is None:
            raise KeyError(f"no message {key!r} in the catalog")
        if lang == BOTH:
            texts = [self.text(key, one, **params) for one in LANGUAGES]
            return ("\n" if all("\n" not in text for text in texts) else "\n\n").join(texts)
        template = entry.get(lang) or entry["en"]
        return _FORMATTER.format(template, **params) if params else template

    def fields(self, key: str) -> set[str]:
        return _fields(self._entries[key]["en"])

    def both(self, key: str, /, **params: object) -> dict[str, str]:
        return {lang: self.text(key, lang, **params) for lang in LANGUAGES}


class _PluralFormatter(string.Formatter):
    """str.format, plus `{n:plural=one/other}` → "1 one" or "2 other"."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec.startswith("plural="):
            one, _, other = format_spec.removeprefix("plural=").partition("/")
            return f"{value} {one if value == 1 else other}"
        return super().format_field(value, format_spec)


_FORMATTER = _PluralFormatter()


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_catalog(directory: Path = MESSAGES_DIR) -> Catalog:
    entries: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, entry in _flatten(data).items():
            if key in entries:
                raise CatalogError(f"{path.name}: message {key!r} is defined twice")
            missing = [lang for lang in LANGUAGES if not entry.get(lang)]
            if missing:
                raise CatalogError(f"{path.name}: message {key!r} has no {', '.join(missing)} text")
            if _fields(entry["en"]) != _fields(entry["ko"]):
                raise CatalogError(f"{path.name}: message {key!r} names different fields in en and ko")
            entries[key] = entry
    return Catalog(entries)


def _flatten(data: Mapping, prefix: str = "") -> dict[str, dict[str, str]]:
    """`[swarm.usage] en=… ko=…` becomes {"swarm.usage": {"en": …, "ko": …}}."""
    flat: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and set(value) <= set(LANGUAGES) and value:
            flat[name] = dict(value)
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
    return flat


@cache
def catalog() -> Catalog:
    return load_catalog()


def t(key: str, lang: str = "en", /, **params: object) -> str:
    return catalog().text(key, lang, **params)
