"""Read an expert directory file (YAML or CSV) into profiles; every bad row is reported, nothing half-loaded.

CSV (a header row; only ``slack_user`` and ``name`` are required; UTF-8, Korean Excel's CP949/EUC-KR or
UTF-16, and comma, semicolon or tab separated: both detected; rows are named by the line they start on)::

    slack_user,name,skills,products,languages,timezone,hours,days,max_concurrent,opted_out
    U012AB3CD,Ana Lima,inverter firmware:4; modbus:3,Hybrid 5K; Logger X,en; pt,Europe/Lisbon,09:00-18:00,mon-fri,3,no

- ``slack_user``: the member id from the Slack profile (``U…`` or ``W…``, e.g. ``U012AB3CD``); a mention
  ``<@U012AB3CD>`` is taken as its id; names and e-mail addresses are refused;
- ``skills``: ``;``-separated ``name:level`` (level 1-5, default 3 when ``:level`` is left out);
- ``products``, ``languages``: ``;``-separated; ``timezone``: IANA name (default UTC);
- ``hours``: ``HH:MM-HH:MM`` (default 09:00-18:00; an end before the start is a night shift);
- ``days``: ``mon-fri``, ``mon,wed,fri`` or ``sat-sun`` (default mon-fri);
- ``max_concurrent``: swarms at once, a whole number of at least 1 (default 3);
  ``opted_out``: true/false/yes/no/1/0.

YAML: a list of mappings (or ``{experts: [...]}``) with the same keys; ``skills`` may also be a mapping
``{inverter firmware: 4}`` or a list of ``name:level`` strings, ``products``/``languages``/``days`` lists.

Any other column (CSV) or key (YAML) is an error naming it, with the closest known name when one is near:
a misspelled ``skils`` would otherwise load the expert without skills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from rapidfuzz import fuzz, process, utils

from expert_finder.models import ExpertProfile, Skill, WorkingHours
from expert_finder.table_file import TableFileError, parse_csv, read_text

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRUE = {"true", "yes", "1", "y"}
FALSE = {"false", "no", "0", "n", ""}
SLACK_ID = re.compile(r"[UW][A-Z0-9]+")  # real ids are longer (U012AB3CD), but short ones like U1 always loaded
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")  # <@U012AB3CD> or <@U012AB3CD|ana>, as Slack copies it
CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?")
SUGGEST_CUTOFF = 80  # WRatio score: catches skils/prodcts/user, leaves unrelated names without a guess


@dataclass(frozen=True)
class RowError:
    line: int  # CSV line the row starts on (header is 1) or YAML list item (first is 1); 0 for the whole file
    field: str  # "" when the error is not about one known field (an unknown column, a short row)
    message: str
    unit: str = "line"  # "item" for YAML list items

    def __str__(self) -> str:
        where = " ".join(part for part in (f"{self.unit} {self.line}" if self.line else "", self.field) if part)
        return f"{where}: {self.message}" if where else self.message


class DirectoryFileError(ValueError):
    """The file has bad rows; `rows` lists every one of them."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        super().__init__("; ".join(str(r) for r in rows[:20]))


def _shown(value) -> str:
    """A value as the reader of an error should see it: quoted text, or what kind of thing it is."""
    if value is None or value == "":
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


def _scalar(value, expected: str) -> str:
    """YAML may hand a list or mapping where one value belongs; say so instead of storing its repr."""
    if isinstance(value, dict | list | tuple):
        raise ValueError(f"expected {expected}, not {_shown(value)}")
    return "" if value is None else str(value).strip()


def _slack_user(value) -> str:
    expected = "a Slack user id like U0123ABCD (Slack profile > ⋮ > Copy member ID)"
    text = _scalar(value, expected)
    if not text:
        raise ValueError("is required")
    mention = MENTION.fullmatch(text)
    if mention:
        return mention.group(1)
    if not SLACK_ID.fullmatch(text):
        raise ValueError(f"expected {expected}, not {_shown(text)}")
    return text


def _name(value) -> str:
    text = _scalar(value, "a name as text")
    if not text:
        raise ValueError("is required")
    return text


def _split(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        raise ValueError("expected a list or ';'-separated names, not a mapping")
    if isinstance(value, list | tuple):
        return [text for text in (_scalar(v, "a list of names") for v in value) if text]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _skills(value) -> tuple[Skill, ...]:
    if isinstance(value, dict):
        items = [(_scalar(name, "skill names as text"), level) for name, level in value.items()]
    else:
        items = [_skill_pair(s) for s in _split(value)]
    if any(not name for name, _ in items):
        raise ValueError("a skill needs a name before its :level, like modbus:3")
    return tuple(Skill(name, _level(name, level)) for name, level in items)


def _skill_pair(text: str) -> tuple[str, str]:
    name, sep, level = text.rpartition(":")
    if not sep:
        return text, "3"
    return name.strip(), level.strip()


def _level(name: str, level) -> int:
    number = _whole(level)
    if number is None:
        raise ValueError(f"level of {name!r} must be a number 1-5, not {_shown(level)}")
    if not 1 <= number <= 5:
        raise ValueError(f"level of {name!r} must be 1-5, not {number}")
    return number


def _whole(value) -> int | None:
    """A whole number from text or YAML, or None (booleans, 2.5, '9am' and nothing are not whole numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() else None


def _clock(text: str) -> time | None:
    match = CLOCK.fullmatch(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _hours(value) -> tuple[time, time]:
    text = _scalar(value, "a time range like 09:00-18:00")
    if not text:
        return time(9), time(18)
    start, sep, end = text.partition("-")
    start_time, end_time = _clock(start), _clock(end)
    if not sep or start_time is None or end_time is None:
        raise ValueError(f"expected a time range like 09:00-18:00, not {_shown(text)}")
    return start_time, end_time


def _days(value) -> frozenset[int]:
    if isinstance(value, list | tuple):
        value = ",".join(_scalar(v, "day names like mon or mon-fri") for v in value)
    text = _scalar(value, "days like mon-fri or mon,wed")
    if not text:
        return frozenset(range(5))
    days: set[int] = set()
    for part in text.casefold().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first[:3] not in DAY_NAMES or (last or first)[:3] not in DAY_NAMES:
            raise ValueError(f"expected days like mon-fri or mon,wed, not {_shown(text)}")
        a, b = DAY_NAMES.index(first[:3]), DAY_NAMES.index((last or first)[:3])
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(b + 1)])
    return frozenset(days)


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _scalar(value, "true or false").casefold()
    if text in TRUE | FALSE:
        return text in TRUE
    raise ValueError(f"expected true or false, not {_shown(value)}")


def _timezone(value) -> str:
    name = _scalar(value, "a timezone name like Europe/Lisbon") or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder of zones: IsADirectoryError
        raise ValueError(f"unknown timezone {name!r}; expected a name like Europe/Lisbon or Asia/Seoul") from None
    return name


def _max_concurrent(value) -> int:
    if value is None or value == "":
        return 3
    number = _whole(value)
    if number is None or number < 1:
        raise ValueError(f"expected a whole number of swarms, at least 1, not {_shown(value)}")
    return number


PARSERS = {
    "slack_user": _slack_user,
    "name": _name,
    "skills": _skills,
    "products": lambda v: tuple(_split(v)),
    "languages": lambda v: tuple(_split(v)),
    "timezone": _timezone,
    "hours": _hours,
    "days": _days,
    "max_concurrent": _max_concurrent,
    "opted_out": _bool,
}
KNOWN_FIELDS = tuple(PARSERS)


def unknown_field_errors(line: int, names, what: str) -> list[RowError]:
    """Every name that is not a known field, with the closest known one when it is likely a typo."""
    errors = []
    for name in names:
        if name in PARSERS:
            continue
        guess = process.extractOne(str(name), KNOWN_FIELDS, scorer=fuzz.WRatio, processor=utils.default_process,
                                   score_cutoff=SUGGEST_CUTOFF)
        hint = f" (did you mean {guess[0]!r}?)" if guess else f"; known {what}s: {', '.join(KNOWN_FIELDS)}"
        errors.append(RowError(line, "", f"unknown {what} {str(name)!r}{hint}"))
    return errors


def parse_row(line: int, row: dict) -> tuple[ExpertProfile | None, list[RowError]]:
    """One row to a profile, or the errors found in it (every field is checked, not just the first)."""
    errors = []
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
        user_id=parsed["slack_user"],
        name=parsed["name"],
        skills=parsed["skills"],
        products=parsed["products"],
        languages=parsed["languages"],
        hours=WorkingHours(parsed["timezone"], start, end, parsed["days"]),
        max_concurrent=parsed["max_concurrent"],
        opted_out=parsed["opted_out"],
    ), []


def _rows(path: Path) -> tuple[list[tuple[int, dict]], list[RowError], str]:
    """The rows with their line (CSV) or item (YAML) numbers, the errors about the file's shape, and "line"
    or "item"."""
    try:
        text, encoding = read_text(path, kind="a YAML or CSV file")
        if path.suffix.casefold() not in (".yaml", ".yml"):
            table = parse_csv(text, encoding=encoding, name=path.name)
    except TableFileError as exc:
        raise DirectoryFileError([RowError(p.line, "", p.message) for p in exc.problems]) from None
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
        rows = list(enumerate(data, start=1))
        return rows, [e for line, item in rows for e in unknown_field_errors(line, item, "key")], "item"
    header = table.header
    errors = unknown_field_errors(1, header, "column")
    errors += [RowError(1, "", f"column {name!r} appears twice") for name in sorted({n for n in header
                                                                                         if header.count(n) > 1})]
    return table.rows, errors, "line"


def load_directory(path: str | Path) -> list[ExpertProfile]:
    """All profiles of the file, or `DirectoryFileError` listing every bad row (duplicates included)."""
    profiles: list[ExpertProfile] = []
    rows, errors, unit = _rows(Path(path))
    seen: dict[str, int] = {}
    for line, row in rows:
        profile, row_errors = parse_row(line, row)
        errors.extend(row_errors)
        if profile is None:
            continue
        if profile.user_id in seen:
            errors.append(RowError(line, "slack_user", f"{profile.user_id} already on {unit} {seen[profile.user_id]}"))
            continue
        seen[profile.user_id] = line
        profiles.append(profile)
    if errors:
        errors = [replace(e, unit=unit) for e in errors]
        raise DirectoryFileError(sorted(errors, key=lambda e: e.line))
    return profiles
