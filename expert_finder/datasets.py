"""Resolved-case histories for evaluation: the generic CSV, and the two bug-assignment zips read as they are.

Generic CSV (UTF-8, header row, one resolved case per row)::

    id,created,subject,description,product,component,resolver
    SC-1001,2024-01-03T09:12:00+00:00,Inverter FW update stuck at 80%,"Customer reports ...",Hybrid 5K,firmware,U017

- ``id``: unique case key; ``created``: ISO 8601 (a naive time is UTC), may be empty;
- ``subject``, ``description``: the case text; ``product``, ``component``: may be empty;
- ``resolver``: the person who resolved the case (any stable id).

Rows are ordered by ``created``, or by ``id`` (numerically when all ids are numbers) where ``created`` is
empty; that order is what ``--split chrono`` replays.

Any other CSV (an export of a team's own case system) is read through `Columns`, the columns named by the
evaluation's flags (``--id-col``, ``--time-col``, ``--text-cols``, ``--product-col``, ``--component-col``,
``--resolver-col``); only a text and a resolver column are required, and without a time column the
file's own order is the time order.

The bug-report zips of ``shared/reference/expert-data`` (Wang et al. 2024, AI4BA/dl4ba) are read with
``zipfile`` directly, never extracted: JDT (``bug_id, creation_ts, Assignee, Description``) and GCC
(``Bug_ID, Assignee, Summary, Description, Status``; repeated Bug_IDs dropped, ordered by Bug_ID).
Neither has product or component.
JDT's generic accounts ``eclipse`` and ``jdt-ui-inbox`` are kept as cases but named as the data set's
queue accounts, which the evaluation never ranks and reports apart.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

GENERIC_COLUMNS = ("id", "created", "subject", "description", "product", "component", "resolver")
JDT_QUEUE_ACCOUNTS = frozenset({"eclipse", "jdt-ui-inbox"})

csv.field_size_limit(1 << 26)


class DatasetError(ValueError):
    """The file is not one of the supported formats, or a row is unusable."""


@dataclass(frozen=True)
class ResolvedCase:
    id: str
    created: datetime | None
    subject: str
    description: str
    product: str
    component: str
    resolver: str

    @property
    def text(self) -> str:
        return f"{self.subject} {self.description}".strip()


@dataclass(frozen=True)
class Columns:
    """Which column of a CSV holds what; "" for a column the file does not have."""

    text: tuple[str, ...]
    resolver: str
    id: str = ""
    time: str = ""
    product: str = ""
    component: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    cases: tuple[ResolvedCase, ...]  # in replay order
    queue_accounts: frozenset[str] = frozenset()  # named by the data set itself

    @property
    def has_time(self) -> bool:
        return all(c.created is not None for c in self.cases)


TIME_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y")


def _parse_time(value: str, fmt: str | None = None) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_any_time(value: str) -> datetime | None:
    """ISO 8601, or one of the usual export forms (TIME_FORMATS); ValueError when none fits."""
    try:
        return _parse_time(value)
    except ValueError:
        for fmt in TIME_FORMATS:
            try:
                return _parse_time(value, fmt)
            except ValueError:
                continue
    raise ValueError(value)


def read_columns(rows: Iterable[dict[str, str]], name: str, header: set[str], columns: Columns) -> Dataset:
    """A CSV whose columns the caller named; file order is time order when there is no time column."""
    named = [c for c in (*columns.text, columns.resolver, columns.id, columns.time, columns.product,
                         columns.component) if c]
    missing = [c for c in named if c not in header]
    if missing:
        raise DatasetError(f"{name}: no column {', '.join(missing)}; the file has {', '.join(sorted(header))}")
    if not columns.text or not columns.resolver:
        raise DatasetError(f"{name}: name at least the text (--text-cols) and the resolver (--resolver-col)")
    cases = []
    for line, row in enumerate(rows, start=2):
        resolver = (row[columns.resolver] or "").strip()
        if not resolver:
            continue  # an unresolved case teaches nothing about who resolves
        try:
            created = _parse_any_time(row[columns.time]) if columns.time else None
        except ValueError:
            raise DatasetError(f"{name} line {line}: bad time {row[columns.time]!r}") from None
        cases.append(ResolvedCase(
            id=(row[columns.id] or "").strip() if columns.id else str(line),
            created=created,
            subject="",
            description=" ".join((row[c] or "") for c in columns.text).strip(),
            product=(row[columns.product] or "").strip() if columns.product else "",
            component=(row[columns.component] or "").strip() if columns.component else "",
            resolver=resolver,
        ))
    if columns.time and cases and all(c.created is not None for c in cases):
        cases.sort(key=lambda c: c.created)
    return Dataset(name, tuple(cases))


def _id_key(case_id: str) -> tuple[int, int | str]:
    return (0, int(case_id)) if case_id.isdigit() else (1, case_id)


def _ordered(cases: list[ResolvedCase]) -> tuple[ResolvedCase, ...]:
    if cases and all(c.created is not None for c in cases):
        return tuple(sorted(cases, key=lambda c: (c.created, _id_key(c.id))))
    return tuple(sorted(cases, key=lambda c: _id_key(c.id)))


def read_generic(rows: Iterable[dict[str, str]], name: str) -> Dataset:
    cases = []
    for line, row in enumerate(rows, start=2):
        missing = [col for col in GENERIC_COLUMNS if col not in row]
        if missing:
            raise DatasetError(f"{name}: missing columns {', '.join(missing)}")
        if not (row["resolver"] or "").strip():
            raise DatasetError(f"{name} line {line}: empty resolver")
        try:
            created = _parse_time(row["created"])
        except ValueError as exc:
            raise DatasetError(f"{name} line {line}: bad created {row['created']!r}") from exc
        cases.append(
            ResolvedCase(
                id=row["id"].strip(),
                created=created,
                subject=row["subject"] or "",
                description=row["description"] or "",
                product=(row["product"] or "").strip(),
                component=(row["component"] or "").strip(),
                resolver=row["resolver"].strip(),
            )
        )
    return Dataset(name, _ordered(cases))


def read_jdt(rows: Iterable[dict[str, str]], name: str) -> Dataset:
    cases = [
        ResolvedCase(
            id=row["bug_id"].strip(),
            created=_parse_time(row["creation_ts"], "%m/%d/%Y %H:%M"),
            subject="",
            description=row["Description"].replace("\t", " "),
            product="",
            component="",
            resolver=row["Assignee"].strip(),
        )
        for row in rows
        if row["Assignee"].strip()
    ]
    return Dataset(name, _ordered(cases), JDT_QUEUE_ACCOUNTS)


def read_gcc(rows: Iterable[dict[str, str]], name: str) -> Dataset:
    seen: set[str] = set()
    cases = []
    for row in rows:
        bug_id = row["Bug_ID"].strip()
        if bug_id in seen or not row["Assignee"].strip():
            continue  # a repeated bug would leak its own answer into the test set
        seen.add(bug_id)
        cases.append(
            ResolvedCase(
                id=bug_id,
                created=None,
                subject=row["Summary"] or "",
                description=row["Description"] or "",
                product="",
                component="",
                resolver=row["Assignee"].strip(),
            )
        )
    return Dataset(name, _ordered(cases))


def _csv_text(path: Path) -> str:
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if m.endswith(".csv") and not m.startswith("__MACOSX/")]
                if len(members) != 1:
                    raise DatasetError(f"{path.name}: expected one CSV inside, found {members}")
                return zf.read(members[0]).decode("utf-8-sig", errors="replace")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path}: is a folder, not a CSV or zip file") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise DatasetError(f"{path.name}: cannot be read ({exc})") from None


def load_dataset(path: str | Path, columns: Columns | None = None) -> Dataset:
    """Read a CSV through the `columns` named, or else a generic CSV or a JDT/GCC zip (or CSV) by its header."""
    path = Path(path)
    reader = csv.DictReader(io.StringIO(_csv_text(path), newline=""))
    header = set(reader.fieldnames or ())
    name = path.name.removesuffix(".zip").removesuffix(".csv")
    if columns is not None:
        return read_columns(reader, name, header, columns)
    if set(GENERIC_COLUMNS) <= header:
        return read_generic(reader, name)
    if {"bug_id", "creation_ts", "Assignee", "Description"} <= header:
        return read_jdt(reader, name)
    if {"Bug_ID", "Assignee", "Summary", "Description"} <= header:
        return read_gcc(reader, name)
    raise DatasetError(
        f"{path.name}: unknown columns {sorted(header)}; expected {', '.join(GENERIC_COLUMNS)}, "
        "or name yours with --text-cols and --resolver-col (and --time-col, --product-col, …)"
    )
