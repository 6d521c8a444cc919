"""Block Kit of note sync: the status answer, the "Add to case" modal, case-change notices. Pure functions."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.errors import system_name
from bot.i18n.catalog import t
from bot.views.blocks import MAX_PRIVATE_METADATA, clip, context, mrkdwn, plain, section
from bot.views.roundtrip import (
    SLACK_CHANNEL,
    SLACK_TS,
    TS_PATTERN,
    USER_PATTERN,
    ListOf,
    Maybe,
    Record,
    RoundTrip,
    RoundTripRefused,
    Text,
    id_from_text,
    slot,
)
from swarms.case_systems.base import CaseChange
from swarms.note_sync.capture import SwarmChoice, SyncStatus

MAX_OPTIONS = 100  # static_select
MAX_FILES = 20  # files kept with a message in the round trip
FILE = Record(name=Text(255), permalink=Text(1000))
CUSTOMER_COMMENT_EXCERPT = 1200


class SyncCallback(enum.StrEnum):
    ADD_TO_CASE = "add_to_case"  # the message shortcut (manifest.yml)
    ADD_TO_CASE_VIEW = "sync.add_to_case"


class SyncBlock(enum.StrEnum):
    PICK = "sync.pick"


class SyncAction(enum.StrEnum):
    PICK = "sync.pick_swarm"


@dataclass(frozen=True, slots=True)
class AddToCaseState(RoundTrip):
    """Crosses the modal round trip in private_metadata; validated on the way back."""

    LIMIT = MAX_PRIVATE_METADATA
    channel_id: str = slot("c", SLACK_CHANNEL)
    ts: str = slot("ts", SLACK_TS)
    thread_ts: str = slot("th", Text(24, pattern=TS_PATTERN), default="")
    user_id: str = slot("u", Text(32, pattern=USER_PATTERN), default="")
    # Kept with the files when they fit; otherwise re-read from Slack on submit.
    text: str | None = slot("x", Maybe(Text(MAX_PRIVATE_METADATA)), default=None)
    files: tuple[dict, ...] = slot("f", ListOf(FILE, most=MAX_FILES), default=())

    def dumps(self) -> str:
        return self.dumps_dropping(text=None, files=())


def status_text(case_number: str, status: SyncStatus, *, system: str, lang: str) -> str:
    lines = [
        t("sync.status_header", lang, case=case_number, system=system_name(system, lang)),
        t("sync.status_line", lang, delivered=status.delivered, pending=status.pending, parked=status.parked),
    ]
    if status.pending and status.oldest_pending_at is not None:
        lines.append(t("sync.status_oldest", lang, when=_slack_date(status.oldest_pending_at.timestamp())))
    if status.last_error and (status.pending or status.parked):
        lines.append(t("sync.status_error", lang, error=clip(status.last_error, 300)))
    if status.parked:
        lines.append(t("sync.status_parked_hint", lang))
    elif not status.pending:
        lines.append(t("sync.status_all_good", lang))
    return "\n".join(lines)


def add_to_case_modal(choices: list[SwarmChoice], state: AddToCaseState, *, excerpt: str, lang: str) -> dict:
    options = [
        {"text": plain(clip(f"{c.case_number} · {c.case_subject}", 75)), "value": str(c.swarm_id)}
        for c in choices[:MAX_OPTIONS]
    ]
    blocks = [section(t("sync.add_intro", lang))]
    if excerpt:
        blocks.append(context(clip(excerpt, 300)))
    blocks.append({
        "type": "input",
        "block_id": SyncBlock.PICK,
        "label": plain(t("sync.add_pick_label", lang)),
        "element": {
            "type": "static_select",
            "action_id": SyncAction.PICK,
            "placeholder": plain(t("sync.add_pick_placeholder", lang)),
            "options": options,
            **({"initial_option": options[0]} if len(options) == 1 else {}),
        },
    })
    return {
        "type": "modal",
        "callback_id": SyncCallback.ADD_TO_CASE_VIEW,
        "title": plain(t("sync.add_title", lang), 24),
        "submit": plain(t("sync.add_submit", lang), 24),
        "close": plain(t("sync.add_cancel", lang), 24),
        "private_metadata": state.dumps(),
        "blocks": blocks,
    }


def added_modal(case_number: str, channel_id: str, *, lang: str) -> dict:
    return {
        "type": "modal",
        "title": plain(t("sync.add_done_title", lang), 24),
        "close": plain(t("sync.add_cancel", lang), 24),
        "blocks": [section(t("sync.add_done", lang, case=case_number, channel=channel_id))],
    }


def picked_swarm_id(view: dict) -> int | None:
    """The swarm chosen in the modal, or None if the payload doesn't carry a valid one."""
    value = (((view.get("state") or {}).get("values") or {}).get(SyncBlock.PICK) or {}).get(SyncAction.PICK) or {}
    try:
        return id_from_text((value.get("selected_option") or {}).get("value"))
    except RoundTripRefused:
        return None


def case_change_text(case_number: str, change: CaseChange, *, lang: str) -> str:
    by = t("sync.change_by", lang, author=change.author) if change.author else ""
    field = (change.field or "").lower()
    if field in ("public_comment", "comment"):
        text = clip((change.new or "").strip(), CUSTOMER_COMMENT_EXCERPT).replace("\n", "\n>")
        return t("sync.change_comment", lang, case=case_number, by=by, text=text)
    key = {"status": "sync.change_status", "priority": "sync.change_priority", "owner": "sync.change_owner"}.get(field)
    old, new = change.old or "—", change.new or "—"
    if key:
        return t(key, lang, case=case_number, old=old, new=new, by=by)
    return t("sync.change_other", lang, case=case_number, field=change.field, old=old, new=new, by=by)


def case_change_blocks(text: str) -> list[dict]:
    return [{"type": "section", "text": mrkdwn(text)}]


def _slack_date(epoch: float) -> str:
    return f"<!date^{int(epoch)}^{{date_short_pretty}} {{time}}|{int(epoch)}>"
