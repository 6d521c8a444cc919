"""The Home tab, the weekly digest and the export's texts: pure Block Kit builders, tested as functions.

The view stays within Slack's 100 blocks whatever the numbers: lists are one section of lines each,
the per-person table is capped by the query, and `fit_blocks` guards the total with a visible note.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.i18n.catalog import t
from bot.views.blocks import (
    MAX_FIELD_TEXT,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
    actions,
    button,
    clip,
    context,
    divider,
    escape_mrkdwn,
    fit_blocks,
    header,
    mrkdwn,
    plain,
    section,
)
from bot.views.roundtrip import OneOf, RoundTrip, slot
from bot.views.swarm_place import thread_link
from bot.views.workspace_settings import WorkspaceSettings, settings_blocks
from swarms.case_systems.outcomes import OutcomeComparison, OutcomeGroup
from swarms.stats.contributions import PERIOD_DAYS, ManagerStats, MySwarms, PersonRow, TeamFigures
from swarms.stats.finder_stats import FinderFigures
from swarms.stats.home_open import OpenSwarms, SwarmLine
from swarms.stats.swarming_outcomes import OutcomesAnswer

LIST_LINES = 10
SUBJECT_CHARS = 60


class HomeAction(enum.StrEnum):
    PERIOD = "home.period"
    DOWNLOAD = "home.download"


class HomeBlock(enum.StrEnum):
    CONTROLS = "home.controls"
    MINE = "home.mine"
    OPEN = "home.open"
    INVITES = "home.invites"
    TEAM = "home.team"
    TOP = "home.top"
    PEOPLE = "home.people"
    SILENT = "home.silent"
    STALLED = "home.stalled"
    OVERFLOW = "home.overflow"
    OUTCOMES = "home.outcomes"
    FINDER = "home.finder"


@dataclass(frozen=True, slots=True)
class DownloadRequest(RoundTrip):
    """The Download button's value: which period, one of the offered ones."""

    days: int = slot("days", OneOf(PERIOD_DAYS))


@dataclass(frozen=True, slots=True)
class HomeModel:
    lang: str
    mine: MySwarms
    team: ManagerStats | None = None  # None: not a manager, the team part is not built at all
    outcomes: OutcomesAnswer | None = None  # swarmed against non-swarmed cases, from the case system
    finder: FinderFigures | None = None  # is the expert finder helping? (managers)
    can_download: bool = False
    team_open: OpenSwarms | None = None  # the team's open swarms, oldest first (managers)
    workspace_url: str = ""  # https://<team>.slack.com/, for links to thread swarms ("" while Slack cannot say)
    settings: WorkspaceSettings | None = None  # where new swarms open; the select only for managers


# ---------------------------------------------------------------- formatting


def duration(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return t("home.none", lang)
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return t("home.duration.minutes", lang, n=minutes)
    if minutes < 48 * 60:
        return t("home.duration.hours", lang, n=round(minutes / 60))
    return t("home.duration.days", lang, n=round(minutes / 1440))


def share(value: float | None, lang: str) -> str:
    return t("home.none", lang) if value is None else f"{value:.0%}"


def who(row_id: str, name: str, left_slack: bool, lang: str) -> str:
    """A mention Slack renders as the name; people who left show their stored name instead."""
    if left_slack:
        return t("home.left_slack", lang, name=escape_mrkdwn(name))
    return f"<@{row_id}>"


def swarm_place(line: SwarmLine, workspace_url: str, lang: str) -> str:
    """Where to go: the swarm's channel, or a thread swarm's thread (a link into its team channel)."""
    if not line.channel_id:
        return "#—"
    link = thread_link(workspace_url, line.channel_id, line.thread_ts) if line.thread_ts else ""
    return t("home.thread_place", lang, channel=line.channel_id, link=link) if link else f"<#{line.channel_id}>"


def _swarm_line(line: SwarmLine, now: datetime, lang: str, url: str) -> str:
    return t("home.swarm_line", lang, channel=swarm_place(line, url, lang), case=escape_mrkdwn(line.case_number),
             subject=escape_mrkdwn(clip(line.case_subject, SUBJECT_CHARS)),
             age=duration((now - line.opened_at).total_seconds(), lang),
             idle=duration((now - line.last_activity_at).total_seconds(), lang))


def _invite_line(line: SwarmLine, now: datetime, lang: str, url: str) -> str:
    """An invitation asked by DM is answered there: the channel is private and they are not in it yet."""
    text = _swarm_line(line, now, lang, url)
    return t("home.mine.invite_dm", lang, line=text) if line.reason == "dm" else text


def _lines(lines: list[str], *, total: int, lang: str, block_id: str, empty: str) -> dict:
    """One section for a whole list: fewer blocks than a block per line, clipped to Slack's 3,000."""
    shown = lines[:LIST_LINES] or [empty]
    if total > len(lines[:LIST_LINES]) and lines:
        shown.append(t("home.more", lang, count=total - len(lines[:LIST_LINES])))
    text = "\n".join(shown)
    if len(text) > MAX_SECTION_TEXT:
        text = clip(text, MAX_SECTION_TEXT)
    return section(text, block_id=block_id)


def fields_section(fields: list[str], *, block_id: str | None = None) -> dict:
    """A section of fields only (Slack refuses an empty text, and a blank one shows a gap)."""
    block: dict = {"type": "section", "fields": [mrkdwn(f, MAX_FIELD_TEXT) for f in fields[:10]]}
    if block_id:
        block["block_id"] = block_id
    return block


def period_select(days: int, lang: str) -> dict:
    options = [{"text": plain(t("home.period.option", lang, days=d)), "value": str(d)} for d in PERIOD_DAYS]
    return {"type": "static_select", "action_id": HomeAction.PERIOD, "placeholder": plain(t("home.period.placeholder",
            lang)), "options": options, "initial_option": next(o for o in options if o["value"] == str(days))}


def person_fields(row: PersonRow, lang: str) -> list[str]:
    return [t("home.fields.joined", lang, value=row.swarms_joined), t("home.fields.notes", lang, value=row.notes),
            t("home.fields.credited", lang, value=row.resolutions),
            t("home.fields.first_reply", lang, value=duration(row.median_first_reply_s, lang)),
            t("home.fields.load", lang, value=row.current_load),
            t("home.fields.outside", lang, value=share(row.outside_hours_share, lang))]


def team_fields(figures: TeamFigures, lang: str) -> list[str]:
    swarmed = share(figures.swarmed_share, lang)
    if figures.swarmed_share is not None:
        swarmed += f" ({figures.store_swarmed_cases}/{figures.store_closed_cases})"
    return [t("home.team.opened", lang, value=figures.swarms_opened),
            t("home.team.closed", lang, value=figures.swarms_closed),
            t("home.team.median_close", lang, value=duration(figures.median_open_to_close_s, lang)),
            t("home.team.same_day", lang, value=share(figures.same_day_rate, lang)),
            t("home.team.swarmed", lang, value=swarmed)]


# ---------------------------------------------------------------- the Home tab


def build_home(model: HomeModel) -> dict:
    """The `home` view for views.publish: everyone's part, then the team's for managers, then the workspace's
    settings."""
    lang, mine, url = model.lang, model.mine, model.workspace_url
    days = mine.period.days
    controls = [period_select(days, lang)]
    if model.can_download and model.team is not None:
        controls.append(button(t("home.download", lang), HomeAction.DOWNLOAD,
                               value=DownloadRequest(days).dumps()))
    blocks = [
        header(t("home.title", lang)),
        actions(*controls, block_id=HomeBlock.CONTROLS),
        section(t("home.mine.contributions", lang, days=days), block_id=HomeBlock.MINE,
                fields=person_fields(mine.contributions, lang)),
        header(t("home.mine.open_header", lang, count=mine.open_total)),
        _lines([_swarm_line(line, mine.generated_at, lang, url) for line in mine.open], total=mine.open_total,
               lang=lang, block_id=HomeBlock.OPEN, empty=t("home.mine.open_empty", lang)),
        header(t("home.mine.invites_header", lang)),
        _lines([_invite_line(line, mine.generated_at, lang, url) for line in mine.invitations],
               total=len(mine.invitations), lang=lang, block_id=HomeBlock.INVITES,
               empty=t("home.mine.invites_empty", lang)),
    ]
    if model.team is not None:
        blocks += [divider(), *team_blocks(model.team, mine.generated_at, lang, workspace_url=url)]
        if model.team_open is not None:
            from bot.views.home_open import open_swarm_blocks

            blocks += open_swarm_blocks(model.team_open, mine.generated_at, lang, workspace_url=url)
        if model.outcomes is not None:
            blocks += outcome_blocks(model.outcomes, model.team.figures.period.days, lang)
        if model.finder is not None:
            from bot.views.home_finder import finder_blocks

            blocks += finder_blocks(model.finder, lang)
    # The settings close the Home, kept whole: a long team part is cut before them, never they.
    settings = settings_blocks(model.settings, days, lang) if model.settings is not None else []
    blocks = fit_blocks(blocks, MAX_VIEW_BLOCKS - len(settings),
                        context(t("home.overflow", lang), block_id=HomeBlock.OVERFLOW))
    return {"type": "home", "blocks": [*blocks, *settings]}


def team_blocks(team: ManagerStats, now: datetime, lang: str, *, workspace_url: str = "") -> list[dict]:
    figures = team.figures
    top = [t("home.top.line", lang, rank=i, who=who(p.user_id, p.name, p.left_slack, lang),
             resolutions=p.resolutions, joined=p.swarms_joined, notes=p.notes) for i, p in enumerate(team.top, 1)]
    silent = [t("home.silent.line", lang, who=who(s.user_id, s.name, s.left_slack, lang), count=s.unanswered,
                age=duration((now - s.last_invited_at).total_seconds(), lang)) for s in team.silent_experts]
    stalled = [t("home.stalled.line", lang, channel=swarm_place(s, workspace_url, lang),
                 case=escape_mrkdwn(s.case_number), subject=escape_mrkdwn(clip(s.case_subject, SUBJECT_CHARS)),
                 reason=t(f"home.stalled.{s.reason}", lang),
                 idle=duration((now - s.last_activity_at).total_seconds(), lang)) for s in team.stalled]
    blocks = [
        header(t("home.team.header", lang, days=figures.period.days)),
        fields_section(team_fields(figures, lang), block_id=HomeBlock.TEAM),
        header(t("home.top.header", lang)),
        _lines(top, total=len(top), lang=lang, block_id=HomeBlock.TOP, empty=t("home.top.empty", lang)),
        header(t("home.people.header", lang, count=team.people_total)),
        context(t("home.people.explained", lang)),
    ]
    for i, row in enumerate(team.people):
        blocks.append(context(person_line(row, lang), block_id=f"{HomeBlock.PEOPLE}.{i}"))
    if team.people_total > len(team.people):
        blocks.append(context(t("home.people.more", lang, count=team.people_total - len(team.people))))
    blocks += [
        header(t("home.silent.header", lang)),
        _lines(silent, total=len(silent), lang=lang, block_id=HomeBlock.SILENT, empty=t("home.silent.empty", lang)),
        header(t("home.stalled.header", lang, count=team.stalled_total)),
        _lines(stalled, total=team.stalled_total, lang=lang, block_id=HomeBlock.STALLED,
               empty=t("home.stalled.empty", lang)),
    ]
    return blocks


def outcome_blocks(answer: OutcomesAnswer, days: int, lang: str) -> list[dict]:
    """Swarmed against non-swarmed cases side by side, or the case system's reason for giving none."""
    blocks = [header(t("home.outcomes.header", lang, days=days))]
    comparison = answer.comparison
    if comparison is None:
        return [*blocks, section(t("home.outcomes.unavailable", lang, reason=escape_mrkdwn(answer.unavailable)),
                                 block_id=HomeBlock.OUTCOMES)]
    blocks.append(fields_section([_outcome_field(t("home.outcomes.swarmed", lang), comparison.swarmed, lang),
                                  _outcome_field(t("home.outcomes.not_swarmed", lang), comparison.not_swarmed, lang)],
                                 block_id=HomeBlock.OUTCOMES))
    notes = [_lift_line(comparison, lang), t(f"home.outcomes.source.{comparison.source}", lang)]
    return [*blocks, context(*(note for note in notes if note))]


def _outcome_field(title: str, group: OutcomeGroup, lang: str) -> str:
    return t("home.outcomes.field", lang, title=title, closed=group.closed, same_day=group.same_day,
             rate=share(group.same_day_rate, lang), median=duration(group.median_close_s, lang))


def _lift_line(comparison: OutcomeComparison, lang: str) -> str:
    lift = comparison.same_day_lift
    if lift is None:
        return t("home.outcomes.too_few", lang)
    key = "home.outcomes.lift_up" if lift >= 0 else "home.outcomes.lift_down"
    return t(key, lang, percent=f"{abs(lift):.0%}")


def person_line(row: PersonRow, lang: str) -> str:
    return t("home.people.line", lang, who=who(row.user_id, row.name, row.left_slack, lang), joined=row.swarms_joined,
             notes=row.notes, resolutions=row.resolutions, reply=duration(row.median_first_reply_s, lang),
             load=row.current_load, outside=share(row.outside_hours_share, lang))


def home_as_text(view: dict) -> str:
    """The view as plain lines (the demo prints it): headers, section texts and fields, context."""
    out = []
    for block in view["blocks"]:
        if block["type"] == "header":
            out.append(f"== {block['text']['text']} ==")
        elif block["type"] == "section":
            out.append(block.get("text", {}).get("text", "").strip())
            out += [f["text"].replace("\n", ": ") for f in block.get("fields", [])]
        elif block["type"] == "context":
            out += [e["text"] for e in block["elements"]]
        elif block["type"] == "actions":
            out.append(" | ".join(e.get("text", e.get("placeholder", {})).get("text", "") for e in block["elements"]))
    return "\n".join(line for line in out if line)


# ---------------------------------------------------------------- the weekly digest


def digest_message(figures: TeamFigures, top: list[PersonRow], week: str, lang: str) -> dict:
    """The weekly digest to a manager: headline figures and the week's top contributors."""
    fallback = t("home.digest.fallback", lang, week=week, opened=figures.swarms_opened, closed=figures.swarms_closed,
                 same_day=share(figures.same_day_rate, lang))
    lines = [t("home.top.line", lang, rank=i, who=who(p.user_id, p.name, p.left_slack, lang),
               resolutions=p.resolutions, joined=p.swarms_joined, notes=p.notes) for i, p in enumerate(top, 1)]
    blocks = [
        header(t("home.digest.header", lang, week=week)),
        fields_section(team_fields(figures, lang)),
        section("*" + t("home.top.header", lang) + "*\n" + ("\n".join(lines) or t("home.top.empty", lang))),
    ]
    return {"text": fallback, "blocks": blocks}
