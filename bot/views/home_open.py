"""The manager's list of the team's open swarms on the Home tab (its own builder: the Home has several owners)."""

from __future__ import annotations

from datetime import datetime

from bot.i18n.catalog import t
from bot.views.blocks import clip, escape_mrkdwn, header, section
from bot.views.home import SUBJECT_CHARS, duration, swarm_place
from swarms.stats.home_open import OpenSwarms

MAX_SECTION_TEXT = 3000
OPEN_BLOCK = "home_team_open"


def open_swarm_blocks(open_swarms: OpenSwarms, now: datetime, lang: str, *, workspace_url: str = "") -> list[dict]:
    lines = [t("home.open.line", lang, channel=swarm_place(line, workspace_url, lang),
               case=escape_mrkdwn(line.case_number), subject=escape_mrkdwn(clip(line.case_subject, SUBJECT_CHARS)),
               age=duration((now - line.opened_at).total_seconds(), lang), members=line.members,
               idle=duration((now - line.last_activity_at).total_seconds(), lang))
             for line in open_swarms.lines]
    if open_swarms.total > len(lines):
        lines.append(t("home.more", lang, count=open_swarms.total - len(lines)))
    text = clip("\n".join(lines), MAX_SECTION_TEXT) if lines else t("home.open.empty", lang)
    return [header(t("home.open.header", lang, count=open_swarms.total)), section(text, block_id=OPEN_BLOCK)]
