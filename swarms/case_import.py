"""`case-swarm cases import FILE`: load cases into the local store, all or nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from swarms.case_systems.local import is_closed_status
from swarms.db import utcnow
from swarms.models import Case
from swarms.upsert import insert_or_skip

REQUIRED_COLUMNS = ("number", "subject")
KNOWN_COLUMNS = (
    "number", "subject", "description", "status", "priority", "product", "account",
    "contact_name", "contact_email", "owner", "category", "language", "created_at",
)  # fmt: skip
LIMITS = {"number": 64, "subject": 255, "status": 40, "priority": 40, "language": 16}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0 for CSV)
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.problem}"


class CaseImportError(Exception):
    """The file was refused as a whole; nothing was imported."""

    def __init__(self, errors: list[RowError] | str) -> None:
        self.errors = [errors] if isinstance(errors, str) else errors
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    numbers: list[str] = field(default_factory=list)


def read_case_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV (UTF-8, BOM tolerated) or JSON (a list of objects) file into rows of text."""
    if path.is_dir():
        raise CaseImportError(f"{path} is a folder, not a CSV or JSON file")
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CaseImportError(f"file not found: {path}") from None
    except UnicodeDecodeError:
        raise CaseImportError(f"{path.name} is not UTF-8 text") from None
    except OSError as exc:  # unreadable (permissions, a device): say so here, not as "could not reach a service"
        raise CaseImportError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CaseImportError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise CaseImportError(f"{path.name} must hold a JSON list of case objects")
        return [{str(k): "" if v is None else str(v) for k, v in item.items()} for item in data]
    reader = csv.DictReader(io.StringIO(raw))
    if not reader.fieldnames:
        raise CaseImportError(f"{path.name} is empty")
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    missing = [c for c in REQUIRED_COLUMNS if c not in reader.fieldnames]
    if missing:
        raise CaseImportError(
            f"{path.name} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"the columns it may have: {', '.join(KNOWN_COLUMNS)}"
        )
    return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def validate_rows(rows: Iterable[Mapping[str, str]]) -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        errors.extend(_row_errors(index, row, seen))
    return errors


def _row_errors(index: int, row: Mapping[str, str], seen: dict[str, int]) -> list[RowError]:
    errors = [RowError(index, c, "is empty") for c in REQUIRED_COLUMNS if not (row.get(c) or "").strip()]
    for column, limit in LIMITS.items():
        if len(row.get(column) or "") > limit:
            errors.append(RowError(index, column, f"is longer than {limit} characters"))
    number = (row.get("number") or "").strip()
    if number and number in seen:
        errors.append(RowError(index, "number", f"{number} repeats row {seen[number]}"))
    seen.setdefault(number, index)
    if row.get("contact_email") and "@" not in row["contact_email"]:
        errors.append(RowError(index, "contact_email", "is not an e-mail address"))
    if row.get("created_at") and _parse_time(row["created_at"]) is None:
        errors.append(RowError(index, "created_at", "expected an ISO 8601 time like 2026-11-02T09:30:00+09:00"))
    return errors


def import_cases(session: Session, rows: list[dict[str, str]]) -> ImportResult:
    """Insert or update every row; raise CaseImportError (and write nothing) if any row is bad."""
    if not rows:
        raise CaseImportError("the file holds no cases")
    errors = validate_rows(rows)
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
