"""`case-swarm cases import FILE`: load cases into the local store, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from expert_finder.table_file import TableFileError, read_csv, read_text
from swarms.case_systems.local import is_closed_status
from swarms.db import utcnow
from swarms.models import Case
from swarms.opening.case_numbers import CASE_NUMBER_WORDS, is_case_number
from swarms.upsert import insert_or_skip

REQUIRED_COLUMNS = ("number", "subject")
KNOWN_COLUMNS = (
    "number", "subject", "description", "status", "priority", "product", "account",
    "contact_name", "contact_email", "owner", "category", "language", "created_at",
)  # fmt: skip
LIMITS = {"number": 64, "subject": 255, "status": 40, "priority": 40, "language": 16}


@dataclass(frozen=True)
class RowError:
    place: str  # "line 2" (CSV: the line the row starts on, header is line 1) or "item 1" (JSON)
    column: str
    problem: str

    def __str__(self) -> str:
        return f"{self.place} {self.column}: {self.problem}"


class CaseImportError(Exception):
    """The file was refused as a whole; nothing was imported."""

    def __init__(self, errors: list[RowError] | list[str] | str) -> None:
        self.errors = [errors] if isinstance(errors, str) else errors
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    numbers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseRows:
    """The rows of a case file, where each one is in the file, and how it was read (encoding, delimiter)."""

    rows: list[dict[str, str]]
    places: list[str]
    how_read: str = ""


def read_case_rows(path: Path) -> CaseRows:
    """Read a CSV (UTF-8, CP949/EUC-KR or UTF-16; comma, semicolon or tab) or JSON (a list of objects) file."""
    try:
        if path.suffix.lower() != ".json":
            table = read_csv(path, kind="a CSV or JSON file")
        else:
            raw, _ = read_text(path, kind="a CSV or JSON file")
    except TableFileError as exc:
        raise CaseImportError([str(p) for p in exc.problems]) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CaseImportError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise CaseImportError(f"{path.name} must hold a JSON list of case objects")
        rows = [{str(k): "" if v is None else str(v).strip() for k, v in item.items()} for item in data]
        return CaseRows(rows, [f"item {i}" for i in range(1, len(rows) + 1)])
    missing = [c for c in REQUIRED_COLUMNS if c not in table.header]
    if missing:
        raise CaseImportError(
            f"{path.name} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (its header: "
            f"{', '.join(table.header)}); the columns it may have: {', '.join(KNOWN_COLUMNS)}"
        )
    return CaseRows([row for _, row in table.rows], [f"line {line}" for line, _ in table.rows], table.how_read)


def validate_rows(file: CaseRows) -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for place, row in zip(file.places, file.rows, strict=True):
        errors.extend(_row_errors(place, row, seen))
    return errors


def _row_errors(place: str, row: Mapping[str, str], seen: dict[str, str]) -> list[RowError]:
    errors = [RowError(place, c, "is empty") for c in REQUIRED_COLUMNS if not (row.get(c) or "").strip()]
    for column, limit in LIMITS.items():
        if len(row.get(column) or "") > limit:
            errors.append(RowError(place, column, f"is longer than {limit} characters"))
    number = (row.get("number") or "").strip()
    if number and not is_case_number(number):
        errors.append(RowError(place, "number", f"{number!r} could never be opened with /swarm: {CASE_NUMBER_WORDS}"))
    if number and number in seen:
        errors.append(RowError(place, "number", f"{number} repeats {seen[number]}"))
    seen.setdefault(number, place)
    if row.get("contact_email") and "@" not in row["contact_email"]:
        errors.append(RowError(place, "contact_email", "is not an e-mail address"))
    if row.get("created_at") and _parse_time(row["created_at"]) is None:
        errors.append(RowError(place, "created_at", "expected an ISO 8601 time like 2026-11-02T09:30:00+09:00"))
    return errors


def import_cases(session: Session, file: CaseRows) -> ImportResult:
    """Insert or update every row; raise CaseImportError (and write nothing) if any row is bad."""
    rows = file.rows
    if not rows:
        raise CaseImportError("the file holds no cases")
    errors = validate_rows(file)
    if errors:
        raise CaseImportError(errors)
    numbers = [row["number"].strip() for row in rows]
    result = ImportResult(numbers=numbers)
    session.flush()
    for number in numbers:  # new numbers first, race-free: an import on another process at once finds them
        if insert_or_skip(session, Case.__table__, {"number": number, "subject": ""}) is not None:
            result.created += 1
    result.updated = len(numbers) - result.created
    cases = {c.number: c for c in session.scalars(select(Case).where(Case.number.in_(numbers)))}
    for row in rows:
        _fill(cases[row["number"].strip()], row)
    session.flush()
    return result


def _fill(case: Case, row: Mapping[str, str]) -> None:
    for column in KNOWN_COLUMNS[1:-1]:
        if column in row:
            setattr(case, column, row[column])
    if not case.status:
        case.status = "New"
    case.extra = {k: v for k, v in row.items() if k not in KNOWN_COLUMNS and v}
    created = _parse_time(row.get("created_at") or "")
    now = utcnow()
    case.created_at = created or case.created_at or now
    case.updated_at = now
    case.closed_at = now if is_closed_status(case.status) else None


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
