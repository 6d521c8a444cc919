"""The install flow's browser pages: pure HTML builders, in English and Korean together (a browser has no
Slack locale), every value escaped."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from bot.i18n.catalog import LANGUAGES, t


class InstallOutcome(enum.StrEnum):
    DONE = "done"
    CANCELLED = "cancelled"
    BAD_LINK = "bad_link"  # forged, expired, reused or foreign state
    NO_CODE = "no_code"  # no code, or Slack refused it
    FAILED = "failed"


@dataclass(frozen=True)
class InstallPage:
    outcome: InstallOutcome
    team: str = ""  # the workspace being installed, as Slack named it
    slack_url: str = ""  # DONE: where "Open Slack" goes
    install_path: str = "/slack/install"
    link_minutes: int = 10


def install_page(page: InstallPage) -> str:
    """A small self-contained HTML page saying what happened and what to do next."""
    key = f"install.{page.outcome}"
    params = {"team": page.team or "?", "minutes": page.link_minutes}
    sections = []
    for lang in LANGUAGES:
        title = escape(t(f"{key}.title", lang, **params))
        body = escape(t(f"{key}.body", lang, **params))
        if page.outcome is InstallOutcome.DONE:
            link = f'<a href="{escape(page.slack_url, quote=True)}">{escape(t("install.done.open", lang))}</a>'
        else:
            link = f'<a href="{escape(page.install_path, quote=True)}">{escape(t("install.again", lang))}</a>'
        sections.append(f'<section lang="{lang}"><h1>{title}</h1><p>{body}</p><p>{link}</p></section>')
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1">'
            f"<title>{escape(t('install.title', 'en'))}</title></head>"
            '<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">'
            + "<hr>".join(sections) + "</body></html>")
