"""The expert directory: import from a file (all or nothing, upsert) and freshness from Slack profiles.

Slack profile custom fields feed the directory by their label (settings `EXPERTS_SKILL_FIELDS`,
`EXPERTS_PRODUCT_FIELDS`, `EXPERTS_LANGUAGE_FIELDS`; defaults "Skills, Expertise, 스킬, 전문 분야",
"Products, 제품" and "Languages, 언어"). A value is a list split on commas, semicolons or new lines;
a skill may carry its level as "modbus:4", "modbus=4" or "modbus (4)", else it gets level 3.
Entries remember their source, so a refresh replaces only what Slack gave and an import only what the
file gave. A deactivated or vanished account is marked inactive (kept for history, never suggested).
Each workspace (team) has its own directory: an import and a refresh name the team they fill.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased, selectinload, sessionmaker

from expert_finder.models import ExpertProfile, Skill
from swarms.experts.models import EntrySource, Expert, ExpertProduct, ExpertSkill, ExpertWeights
from swarms.experts.settings import ExpertSettings
from swarms.upsert import insert_or_skip

log = logging.getLogger(__name__)
_SPLIT = re.compile(r"[,;\n·]+")
_LEVEL = re.compile(r"^(?P<name>.*?)\s*(?:[:=]\s*(?P<a>[1-5])|\(\s*(?P<b>[1-5])\s*\))$")
DEFAULT_LEVEL = 3


@dataclass(frozen=True, slots=True)
class DirectoryImport:
    created: int
    updated: int


def import_directory(session: Session, team_id: str, profiles: Sequence[ExpertProfile], *,
                     now: datetime) -> DirectoryImport:
    """Upsert `team_id`'s experts by Slack user id; their imported skills and products become exactly the file's."""
    ids = list(dict.fromkeys(p.user_id for p in profiles))
    session.flush()
    created = sum(  # new people first, race-free: an import or a profile sync elsewhere at once finds them
        insert_or_skip(session, Expert.__table__, {"team_id": team_id, "user_id": user_id}) is not None
        for user_id in ids
    )
    existing = {
        e.user_id: e
        for e in session.scalars(
            select(Expert).where(Expert.team_id == team_id, Expert.user_id.in_(ids))
            .options(selectinload(Expert.skills), selectinload(Expert.products))
        )
    }
    for profile in profiles:
        _apply_profile(existing[profile.user_id], profile, now)
    session.flush()
    return DirectoryImport(created, len(ids) - created)


def adopt_unkeyed(session: Session, team_id: str) -> None:
    """The directory and weights kept under no workspace ('': from before they were keyed by team, or imported
    before the first start) become `team_id`'s, where it has no row of its own for that person or version."""
    own = aliased(Expert)
    session.execute(update(Expert).where(Expert.team_id == "", ~exists().where(
        own.team_id == team_id, own.user_id == Expert.user_id)).values(team_id=team_id)
        .execution_options(synchronize_session=False))
    own_weights = aliased(ExpertWeights)
    session.execute(update(ExpertWeights).where(ExpertWeights.team_id == "", ~exists().where(
        own_weights.team_id == team_id)).values(team_id=team_id).execution_options(synchronize_session=False))


def _apply_profile(expert: Expert, profile: ExpertProfile, now: datetime) -> None:
    expert.name = profile.name
    expert.timezone = profile.hours.timezone
    expert.work_start, expert.work_end = profile.hours.start, profile.hours.end
    expert.work_days = sorted(profile.hours.days)
    expert.languages = list(profile.languages)
    expert.max_concurrent = profile.max_concurrent
    expert.opted_out = profile.opted_out
    expert.imported_at = now
    _replace_skills(expert, list(profile.skills), EntrySource.IMPORT)
    _replace_products(expert, list(profile.products), EntrySource.IMPORT)


def _replace_skills(expert: Expert, skills: list[Skill], source: str) -> None:
    """Make `source`'s skills exactly `skills`, updating rows in place (a delete and an insert of the same
    name in one flush would meet the unique constraint, as the unit of work inserts first)."""
    wanted = {s.name.strip().casefold(): s for s in skills if s.name.strip()}
    for row in list(expert.skills):
        key = row.name.casefold()
        if key in wanted:
            skill = wanted.pop(key)
            if row.source == source or source == EntrySource.IMPORT:
                row.name, row.level, row.source = skill.name.strip(), skill.level, source
        elif row.source == source:
            expert.skills.remove(row)
    for skill in wanted.values():
        expert.skills.append(ExpertSkill(name=skill.name.strip()[:255], level=skill.level, source=source))


def _replace_products(expert: Expert, products: list[str], source: str) -> None:
    wanted = {p.strip().casefold(): p.strip() for p in products if p.strip()}
    for row in list(expert.products):
        key = row.name.casefold()
        if key in wanted:
            name = wanted.pop(key)
            if row.source == source or source == EntrySource.IMPORT:
                row.name, row.source = name, source
        elif row.source == source:
            expert.products.remove(row)
    for name in wanted.values():
        expert.products.append(ExpertProduct(name=name[:255], source=source))


# ---------------------------------------------------------------- freshness from Slack


class ProfileReader(Protocol):
    """What the refresh needs from Slack (the bot implements it with users.info and users.profile.get)."""

    def user(self, user_id: str) -> dict | None:
        """users.info's `user`, or None when Slack does not know the id (user_not_found)."""
        ...

    def profile(self, user_id: str) -> dict:
        """users.profile.get's `profile` (with `fields`)."""
        ...

    def field_labels(self) -> dict[str, str]:
        """Custom field id → label (team.profile.get); empty where not available."""
        ...


@dataclass(frozen=True, slots=True)
class RefreshResult:
    checked: int = 0
    deactivated: int = 0
    updated: int = 0
    failed: int = 0


def parse_list(value: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(value or "") if part.strip()]


def parse_skill(text: str) -> Skill:
    match = _LEVEL.match(text.strip())
    if match and match.group("name"):
        return Skill(match.group("name").strip(), int(match.group("a") or match.group("b")))
    return Skill(text.strip(), DEFAULT_LEVEL)


@dataclass(frozen=True, slots=True)
class ProfileEntries:
    skills: tuple[Skill, ...] = ()
    products: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


def profile_entries(profile: dict, labels: dict[str, str], settings: ExpertSettings) -> ProfileEntries:
    """Skills, products and languages from a Slack profile's custom fields, matched by label (or id)."""
    wanted = {
        "skills": {name.casefold() for name in settings.skill_fields},
        "products": {name.casefold() for name in settings.product_fields},
        "languages": {name.casefold() for name in settings.language_fields},
    }
    found: dict[str, list[str]] = {"skills": [], "products": [], "languages": []}
    for field_id, field in (profile.get("fields") or {}).items():
        if not isinstance(field, dict):
            continue
        label = str(field.get("label") or labels.get(field_id) or field_id).strip().casefold()
        for kind, names in wanted.items():
            if label in names or field_id.casefold() in names:
                found[kind] += parse_list(str(field.get("value") or ""))
    return ProfileEntries(tuple(parse_skill(s) for s in found["skills"]), tuple(found["products"]),
                          tuple(found["languages"]))


def directory_teams(session: Session) -> list[str]:
    """The workspaces that have a directory (someone active in it): each is refreshed and tuned on its own."""
    return list(session.scalars(select(Expert.team_id).where(Expert.active.is_(True)).distinct()
                                .order_by(Expert.team_id)))


def refresh_directory(sessions: sessionmaker, reader: ProfileReader, settings: ExpertSettings, *, team_id: str,
                      now: datetime, user_ids: Sequence[str] | None = None) -> RefreshResult:
    """Re-read every active member of `team_id`'s directory from Slack (`reader` speaks to that workspace),
    one transaction each; one failure skips one."""
    with sessions() as session:
        stmt = (select(Expert.user_id).where(Expert.team_id == team_id, Expert.active.is_(True))
                .order_by(Expert.id))
        ids = list(user_ids) if user_ids is not None else list(session.scalars(stmt))
    labels = _labels(reader)
    counts = {"checked": 0, "deactivated": 0, "updated": 0, "failed": 0}
    for user_id in ids:
        try:
            outcome = _refresh_one(sessions, reader, settings, labels, team_id, user_id, now)
        except Exception:
            log.exception("refreshing expert %s from Slack failed", user_id)
            counts["failed"] += 1
            continue
        counts["checked"] += 1
        counts[outcome] = counts.get(outcome, 0) + 1
    return RefreshResult(counts["checked"], counts["deactivated"], counts["updated"], counts["failed"])


def _labels(reader: ProfileReader) -> dict[str, str]:
    try:
        return reader.field_labels()
    except Exception:
        log.info("custom field labels unavailable; matching fields by the label in each profile")
        return {}


def _refresh_one(sessions: sessionmaker, reader: ProfileReader, settings: ExpertSettings, labels: dict[str, str],
                 team_id: str, user_id: str, now: datetime) -> str:
    user = reader.user(user_id)
    gone = _gone_reason(user)
    entries = None if gone else profile_entries(reader.profile(user_id), labels, settings)
    with sessions.begin() as session:
        expert = session.scalar(select(Expert).where(Expert.team_id == team_id, Expert.user_id == user_id)
                                .options(selectinload(Expert.skills), selectinload(Expert.products)))
        if expert is None:
            return "skipped"
        expert.profile_synced_at = now
        if gone:
            expert.active, expert.inactive_reason = False, gone
            return "deactivated"
        assert user is not None and entries is not None
        _apply_slack(expert, user, entries)
    return "updated"


def _gone_reason(user: dict | None) -> str:
    if user is None:
        return "not_found"
    if user.get("deleted"):
        return "deactivated"
    if user.get("is_bot"):
        return "bot"
    return ""


def _apply_slack(expert: Expert, user: dict, entries: ProfileEntries) -> None:
    if not expert.name:
        expert.name = user.get("real_name") or (user.get("profile") or {}).get("real_name") or user.get("name", "")
    if expert.imported_at is None and user.get("tz"):
        expert.timezone = user["tz"]  # the file's hours win; otherwise Slack's own zone is the best we know
    _replace_skills(expert, list(entries.skills), EntrySource.SLACK)
    _replace_products(expert, list(entries.products), EntrySource.SLACK)
    if entries.languages:
        expert.languages = list(dict.fromkeys([*(expert.languages or []), *entries.languages]))

