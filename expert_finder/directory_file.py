"""Read an expert directory file (YAML or CSV) into profiles; every bad row is reported, nothing half-loaded.

CSV (UTF-8, header row; only ``slack_user`` and ``name`` are required)::

    slack_user,name,skills,products,languages,timezone,hours,days,max_concurrent,opted_out
    U012AB3CD,Ana Lima,inverter firmware:4; modbus:3,Hybrid 5K; Logger X,en; pt,Europe/Lisbon,09:00-18:00,mon-fri,3,no

- ``skills``: ``;``-separated ``name:level`` (level 1-5, default 3 when ``:level`` is left out);
- ``products``, ``languages``: ``;``-separated; ``timezone``: IANA name (default UTC);
- ``hours``: ``HH:MM-HH:MM`` (default 09:00-18:00; an end before the start is a night shift);
- ``days``: ``mon-fri``, ``mon,wed,fri`` or ``sat-sun`` (default mon-fri);
- ``max_concurrent``: swarms at once, at least 1 (default 3); ``opted_out``: true/false/yes/no/1/0.

YAML: a list of mappings (or ``{experts: [...]}``) with the same keys; ``skills`` may also be a mapping
``{inverter firmware: 4}`` or a list of ``name:level`` strings, ``products``/``languages`` lists.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from expert_finder.models import ExpertProfile, Skill, WorkingHours

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRUE = {"true", "yes", "1", "y"}
FALSE = {"false", "no", "0", "n", ""}


@dataclass(frozen=True)
class RowError:
    line: int  # CSV line (header is 1) or YAML list position (first is 1)
    field: str
    message: str


class DirectoryFileError(ValueError):
    """The file has bad rows; `rows` lists every one of them."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        super().__init__("; ".join(f"line {r.line} {r.field}: {r.message}" for r in rows[:20]))


def _split(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _skills(value) -> tuple[Skill, ...]:
    items = list(value.items()) if isinstance(value, dict) else [_skill_pair(s) for s in _split(value)]
    skills = []
    for name, level in items:
        level = int(level)
        if not 1 <= level <= 5:
            raise ValueError(f"level of {name!r} must be 1-5, not {level}")
        skills.append(Skill(str(name).strip(), level))
    return tuple(skills)


def _skill_pair(text: str) -> tuple[str, str]:
    name, sep, level = text.rpartition(":")
    if not sep:
        return text, "3"
    if not level.strip().isdigit():
        raise ValueError(f"level of {name.strip()!r} must be a number 1-5, not {level.strip()!r}")
    return name.strip(), level.strip()


def _clock(text: str) -> time:
    hh, _, mm = text.strip().partition(":")
    return time(int(hh), int(mm or 0))


def _hours(value) -> tuple[time, time]:
    if not value:
        return time(9), time(18)
    start, sep, end = str(value).partition("-")
    if not sep:
        raise ValueError(f"expected HH:MM-HH:MM, not {value!r}")
    return _clock(start), _clock(end)


def _days(value) -> frozenset[int]:
    if not value:
        return frozenset(range(5))
    days: set[int] = set()
    for part in str(value).casefold().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first[:3] not in DAY_NAMES or (last or first)[:3] not in DAY_NAMES:
            raise ValueError(f"expected days like mon-fri or mon,wed, not {value!r}")
        a, b = DAY_NAMES.index(first[:3]), DAY_NAMES.index((last or first)[:3])
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(b + 1)])
    return frozenset(days)


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().casefold()
    if text in TRUE | FALSE:
        return text in TRUE
    raise ValueError(f"expected true or false, not {value!r}")


def _timezone(value) -> str:
    name = str(value or "UTC").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc
    return name


def _max_concurrent(value) -> int:
    number = int(value) if value not in (None, "") else 3
    if number < 1:
        raise ValueError("must be at least 1")
    return number


PARSERS = {
    "skills": _skills,
    "products": lambda v: tuple(_split(v)),
    "languages": lambda v: tuple(_split(v)),
    "timezone": _timezone,
    "hours": _hours,
    "days": _days,
    "max_concurrent": _max_concurrent,
    "opted_out": _bool,
}


def parse_row(line: int, row: dict) -> tuple[ExpertProfile | None, list[RowError]]:
    """One row to a profile, or the errors found in it (every field is checked, not just the first)."""
    errors = [RowError(line, f, "is required") for f in ("slack_user", "name") if not str(row.get(f) or "").strip()]
    parsed = {}
    for field, parser in PARSERS.items():
        try:
            parsed[field] = parser(row.get(field))
        except (ValueError, TypeError, AttributeError) as exc:
            errors.append(RowError(line, field, str(exc)))
    if errors:
        return None, errors
    start, end = parsed["hours"]
    return ExpertProfile(
        user_id=str(row["slack_user"]).strip(),
        name=str(row["name"]).strip(),
        skills=parsed["skills"],
        products=parsed["products"],
        languages=parsed["languages"],
        hours=WorkingHours(parsed["timezone"], start, end, parsed["days"]),
        max_concurrent=parsed["max_concurrent"],
        opted_out=parsed["opted_out"],
    ), []


def _rows(path: Path) -> list[tuple[int, dict]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DirectoryFileError([RowError(0, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]) \
            from None
    if path.suffix.casefold() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise DirectoryFileError([RowError(0, "", f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")]) \
                from None
        if isinstance(data, dict):
            data = data.get("experts", [])
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise DirectoryFileError([RowError(0, "", "expected a list of experts")])
        return list(enumerate(data, start=1))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [(reader.line_num, row) for row in reader]


def load_directory(path: str | Path) -> list[ExpertProfile]:
    """All profiles of the file, or `DirectoryFileError` listing every bad row (duplicates included)."""
    profiles: list[ExpertProfile] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, row in _rows(Path(path)):
        profile, row_errors = parse_row(line, row)
        errors.extend(row_errors)
        if profile is None:
            continue
        if profile.user_id in seen:
            errors.append(RowError(line, "slack_user", f"{profile.user_id} already on line {seen[profile.user_id]}"))
            continue
        seen[profile.user_id] = line
        profiles.append(profile)
    if errors:
        raise DirectoryFileError(errors)
    return profiles
