"""Salesforce Service Cloud as the case system: cases by CaseNumber, swarm notes as internal comments.

Notes go out as CaseComment (`IsPublished=false`, 4,000 UTF-8 bytes) or FeedItem (`InternalUsers`,
10,000 characters), up to 200 records a call through sObject Collections with `allOrNone: false`, so
one bad record fails alone. Each body ends with a marker line carrying the idempotency key; a note that
may already have landed is looked up by that marker before it is written again. Edits PATCH the same
records; a retraction rewrites them to a visible "[retracted …]" line, never a silent delete.

Rate limits and outages raise `CaseSystemUnavailable` for the outbox to retry later (each public method
puts the client's `vendor_clients` errors in the case system's words); the adapter never
sleeps. If part of a batch was already written when Salesforce stopped answering, the written notes
come back ok and the rest as retryable failures, so nothing written is forgotten.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from swarms.case_systems import note_text
from swarms.case_systems.base import (
    CaseChange,
    CaseNotFound,
    CaseRecord,
    CheckLine,
    NoteKind,
    NoteResult,
    NoteToWrite,
    in_case_system_words,
)
from swarms.case_systems.outcomes import OutcomeComparison, salesforce_outcomes
from swarms.case_systems.salesforce_check import check_salesforce
from swarms.case_systems.search import SEARCH_LIMIT, CaseHit, salesforce_search
from swarms.metrics import count_api_calls
from vendor_clients.errors import VendorUnavailable
from vendor_clients.salesforce import SalesforceApiError, SalesforceConfig, SalesforceRest
from vendor_clients.soql import format_soql

log = logging.getLogger(__name__)

BATCH_SIZE = 200  # sObject Collections take at most 200 records a call
IN_CLAUSE_SIZE = 100
_RECORD_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_USER_OR_GROUP_ID = re.compile(r"^00[5G][a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$")
CASE_FIELDS = (
    "Id, CaseNumber, Subject, Description, Status, Priority, Type, Origin, IsClosed, CreatedDate, "
    "LastModifiedDate, SuppliedName, SuppliedEmail, Contact.Name, Contact.Email, Account.Name, Owner.Name"
)
# Per-record errors that can pass on their own; anything else (deleted case, validation) will not.
RETRYABLE_CODES = frozenset(
    {
        "UNABLE_TO_LOCK_ROW",
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "REQUEST_RUNNING_TOO_LONG",
        "SERVER_UNAVAILABLE",
    }
)
HISTORY_FIELDS = {"Status": "status", "Priority": "priority", "Owner": "owner", "ownerAssignment": "owner"}


@dataclass(frozen=True)
class NoteTarget:
    sobject: str
    body_field: str
    limit: int
    unit: str  # "bytes" or "chars"
    create_fields: dict[str, Any] = field(default_factory=dict)


TARGETS = {
    "case_comment": NoteTarget("CaseComment", "CommentBody", 4000, "bytes", {"IsPublished": False}),
    "feed_item": NoteTarget("FeedItem", "Body", 10000, "chars", {"Visibility": "InternalUsers", "Type": "TextPost"}),
}


@dataclass
class _Op:
    note: int  # index of the note in the batch
    slot: int  # index in that note's list of record ids
    record: dict[str, Any]


@dataclass
class _Plan:
    ids: list[str]
    errors: list[str] = field(default_factory=list)
    retryable: bool = True


class SalesforceCaseSystem:
    """The `CaseSystem` for Salesforce. Thread-safe; `api_calls` counts REST calls made."""

    name = "salesforce"

    def __init__(
        self,
        config: SalesforceConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.rest = SalesforceRest(config, session=session, clock=clock, count=count_api_calls("salesforce"))
        self.target = TARGETS[config.note_target]
        # Kept for the constructor's contract and for tests to prove it is never called: waiting is the
        # outbox's job, a Bolt or job thread must not block here.
        self._sleep = sleep
        self._product_field_works = True

    @property
    def api_calls(self) -> int:
        return self.rest.api_calls

    # --- cases -----------------------------------------------------------------------------------

    @in_case_system_words
    def get_case(self, number: str) -> CaseRecord:
        text = number.strip().lstrip("#")
        if _RECORD_ID.fullmatch(text) and text.startswith("500"):
            where = format_soql("Id = {}", text)
        elif text and len(text) <= 40:
            # People type "1026" for CaseNumber 00001026 (the default display format pads to 8).
            numbers = sorted({text, text.zfill(8)} if text.isdigit() else {text})
            where = format_soql("CaseNumber IN {}", numbers)
        else:
            raise CaseNotFound(number)
        rows = self._query_cases(where)
        if not rows:
            raise CaseNotFound(number)
        return self._record(rows[0])

    @in_case_system_words
    def is_closed(self, number: str) -> bool:
        return self.get_case(number).is_closed

    def _query_cases(self, where: str) -> list[dict[str, Any]]:
        product = self.config.product_field
        if self._product_field_works:
            try:
                return self.rest.query_all(f"SELECT {CASE_FIELDS}, {product} FROM Case WHERE {where} LIMIT 1")
            except SalesforceApiError as exc:
                if exc.code != "INVALID_FIELD":
                    raise
                # A wrong product setting must not stop swarms; `check()` tells the admin.
                log.warning("Salesforce: product field %s is not readable on Case; reading cases without it", product)
                self._product_field_works = False
        return self.rest.query_all(f"SELECT {CASE_FIELDS} FROM Case WHERE {where} LIMIT 1")

    def _record(self, row: dict[str, Any]) -> CaseRecord:
        instance = self.rest.instance_url
        return CaseRecord(
            key=row["Id"],
            number=_text(row.get("CaseNumber")),
            subject=_text(row.get("Subject")),
            description=_text(row.get("Description")),
            status=_text(row.get("Status")),
            priority=_text(row.get("Priority")),
            product=_text(_path(row, self.config.product_field)),
            account=_text(_path(row, "Account.Name")),
            contact_name=_text(_path(row, "Contact.Name") or row.get("SuppliedName")),
            contact_email=_text(_path(row, "Contact.Email") or row.get("SuppliedEmail")),
            owner=_text(_path(row, "Owner.Name")),
            category=_text(row.get("Type")),
            url=f"{instance}/lightning/r/Case/{row['Id']}/view",
            is_closed=bool(row.get("IsClosed")),
            created_at=_datetime(row.get("CreatedDate")),
            updated_at=_datetime(row.get("LastModifiedDate")),
            extra={"origin": _text(row.get("Origin"))} if row.get("Origin") else {},
        )

    # --- notes -----------------------------------------------------------------------------------

    @in_case_system_words
    def add_notes(self, notes: Sequence[NoteToWrite]) -> list[NoteResult]:
        notes = list(notes)
        found = self._find_written(notes)
        plans: dict[int, _Plan] = {}
        results: dict[int, NoteResult] = {}
        creates: list[_Op] = []
        updates: list[_Op] = []
        for index, note in enumerate(notes):
            outcome = self._plan(index, note, found.get(note_text.safe_key(note.idempotency_key), {}))
            if isinstance(outcome, NoteResult):
                results[index] = outcome
                continue
            plan, note_creates, note_updates = outcome
            plans[index] = plan
            creates.extend(note_creates)
            updates.extend(note_updates)
        self._run(
            [("POST", creates[i : i + BATCH_SIZE]) for i in range(0, len(creates), BATCH_SIZE)]
            + [("PATCH", updates[i : i + BATCH_SIZE]) for i in range(0, len(updates), BATCH_SIZE)],
            plans,
        )
        for index, plan in plans.items():
            results[index] = _result(notes[index], plan)
        return [results[index] for index in range(len(notes))]

    def _plan(self, index: int, note: NoteToWrite, found: dict[int, tuple[str, int]]):
        """What to write for one note: a NoteResult if nothing is needed, else (plan, creates, updates)."""
        key, target = note.idempotency_key, self.target
        if note.kind == NoteKind.RETRACT:
            bodies = [f"{note_text.retracted_line(note)}\n{note_text.marker_line(key)}"]
        else:
            header = note_text.header_line(note)
            bodies = note_text.split_note(header, note.body, key, target.limit, target.unit)
        split_count = len(bodies)
        old_ids = [part for part in note.external_id.split(",") if part.strip()]
        if note.kind != NoteKind.ADD and not old_ids:
            return NoteResult(key, ok=False, error=f"nothing to {note.kind.value}: no record id", retryable=False)
        if note.kind == NoteKind.RETRACT and len(old_ids) > 1:
            bodies = [f"({i}/{len(old_ids)}) {bodies[0]}" for i in range(1, len(old_ids) + 1)]
        elif note.kind == NoteKind.RETRACT:
            bodies = bodies * len(old_ids)
        elif len(old_ids) > len(bodies):
            # The edit is shorter than the original: the surplus records say so instead of vanishing.
            removed = f"[removed by an edit in Slack at {note_text.utc_text(note.created_at)}]"
            bodies += [f"{removed}\n{note_text.marker_line(key)}"] * (len(old_ids) - len(bodies))
        plan = _Plan(ids=[""] * len(bodies))
        creates, updates = [], []
        for slot, body in enumerate(bodies):
            if slot < len(old_ids):
                plan.ids[slot] = old_ids[slot]
                updates.append(_Op(index, slot, self._record_for_update(old_ids[slot], body)))
                continue
            hit = found.get(slot + 1)
            if hit and hit[1] == split_count:
                plan.ids[slot] = hit[0]  # written by an earlier attempt: do not write it twice
                continue
            creates.append(_Op(index, slot, self._record_for_create(note.case_key, body)))
        if not creates and not updates:
            return NoteResult(key, ok=True, external_id=",".join(plan.ids))
        return plan, creates, updates

    def _record_for_create(self, case_key: str, body: str) -> dict[str, Any]:
        t = self.target
        return {
            "attributes": {"type": t.sobject},
            "ParentId": case_key,
            t.body_field: body,
            **t.create_fields,
        }

    def _record_for_update(self, record_id: str, body: str) -> dict[str, Any]:
        return {"attributes": {"type": self.target.sobject}, "id": record_id, self.target.body_field: body}

    def _run(self, calls: list[tuple[str, list[_Op]]], plans: dict[int, _Plan]) -> None:
        """Send each call (200 records at most); record every answer on its note's plan."""
        written = False
        for number, (method, chunk) in enumerate(calls):
            try:
                answers = self.rest.request(
                    method,
                    "composite/sobjects",
                    json={"allOrNone": False, "records": [op.record for op in chunk]},
                )
            except VendorUnavailable as exc:
                if not written:
                    raise
                # Some notes already landed: report them, and the rest as not sent, rather than lose both.
                for _, later in calls[number:]:
                    for op in later:
                        _fail(plans[op.note], f"not sent: {exc}", retryable=True)
                return
            except SalesforceApiError as exc:
                for op in chunk:
                    _fail(plans[op.note], str(exc), retryable=exc.code in RETRYABLE_CODES)
                continue
            answers = answers if isinstance(answers, list) else []
            for position, op in enumerate(chunk):
                answer = answers[position] if position < len(answers) else {}
                if answer.get("success"):
                    written = True
                    if method == "POST":  # an update keeps the id it was sent to
                        plans[op.note].ids[op.slot] = answer.get("id", "")
                    continue
                errors = answer.get("errors") or [{"statusCode": "NO_ANSWER", "message": "no result for record"}]
                code = str(errors[0].get("statusCode") or errors[0].get("errorCode") or "")
                _fail(
                    plans[op.note],
                    f"{code}: {errors[0].get('message', '')}",
                    retryable=code in RETRYABLE_CODES,
                )

    def _find_written(self, notes: list[NoteToWrite]) -> dict[str, dict[int, tuple[str, int]]]:
        """For notes that may have landed: {key: {part: (record id, parts)}} read from the case's notes."""
        doubtful = [note for note in notes if note.maybe_written]
        if not doubtful:
            return {}
        wanted = {note_text.safe_key(note.idempotency_key) for note in doubtful}
        case_ids = sorted({note.case_key for note in doubtful if _RECORD_ID.fullmatch(note.case_key)})
        # Long text areas cannot be filtered with LIKE, so read the case's recent notes and scan them.
        since = min(_utc(note.created_at) for note in doubtful) - timedelta(minutes=10)
        t = self.target
        found: dict[str, dict[int, tuple[str, int]]] = {}
        for start in range(0, len(case_ids), IN_CLAUSE_SIZE):
            soql = format_soql(
                f"SELECT Id, ParentId, {t.body_field} FROM {t.sobject} WHERE ParentId IN {{}} AND CreatedDate >= {{}}",
                case_ids[start : start + IN_CLAUSE_SIZE],
                since,
            )
            for row in self.rest.query_all(soql):
                for marker in note_text.find_markers(_text(row.get(t.body_field))):
                    if marker.key in wanted:
                        found.setdefault(marker.key, {})[marker.part] = (row["Id"], marker.parts)
        return found

    # --- changes ---------------------------------------------------------------------------------

    @in_case_system_words
    def changes_since(self, case_keys: Sequence[str], since: datetime) -> list[CaseChange]:
        """Status, priority and owner changes (CaseHistory) and new public comments not written by us."""
        ids = sorted({key for key in case_keys if _RECORD_ID.fullmatch(key)})
        changes: list[CaseChange] = []
        for start in range(0, len(ids), IN_CLAUSE_SIZE):
            chunk, after = ids[start : start + IN_CLAUSE_SIZE], _utc(since)
            history = format_soql(
                "SELECT Id, CaseId, Field, OldValue, NewValue, CreatedDate, CreatedBy.Name FROM CaseHistory "
                "WHERE CaseId IN {} AND CreatedDate > {} AND Field IN {} ORDER BY CreatedDate",
                chunk,
                after,
                sorted(HISTORY_FIELDS),
            )
            changes.extend(c for row in self.rest.query_all(history) if (c := _history_change(row)))
            comments = format_soql(
                "SELECT Id, ParentId, CommentBody, CreatedDate, CreatedBy.Name FROM CaseComment "
                "WHERE ParentId IN {} AND IsPublished = true AND CreatedDate > {} ORDER BY CreatedDate",
                chunk,
                after,
            )
            for row in self.rest.query_all(comments):
                body = _text(row.get("CommentBody"))
                if note_text.has_marker(body):
                    continue
                at = _datetime(row.get("CreatedDate")) or after
                author = _text(_path(row, "CreatedBy.Name"))
                changes.append(CaseChange(row["ParentId"], "public_comment", "", body, at, author, f"sf:{row['Id']}"))
        return sorted(changes, key=lambda change: (change.at, change.change_id))

    @in_case_system_words
    def search_cases(self, text: str, limit: int = SEARCH_LIMIT) -> list[CaseHit]:
        return salesforce_search(self.rest.query_all, text, limit)

    @in_case_system_words
    def closed_case_outcomes(self, start: datetime, end: datetime, swarmed_keys: Sequence[str],
                             elsewhere_keys: Sequence[str]) -> OutcomeComparison:
        return salesforce_outcomes(self.rest.query_all, start, end, swarmed_keys, elsewhere_keys)

    @in_case_system_words
    def check(self) -> list[CheckLine]:
        return check_salesforce(self)


def _history_change(row: dict[str, Any]) -> CaseChange | None:
    field_name = HISTORY_FIELDS.get(row.get("Field", ""))
    old, new = _text(row.get("OldValue")), _text(row.get("NewValue"))
    # A lookup change is recorded twice, once with names and once with ids; the names are the news.
    if field_name is None or _USER_OR_GROUP_ID.fullmatch(new) or _USER_OR_GROUP_ID.fullmatch(old):
        return None
    at = _datetime(row.get("CreatedDate")) or datetime.now(UTC)
    author = _text(_path(row, "CreatedBy.Name"))
    return CaseChange(row["CaseId"], field_name, old, new, at, author, change_id=f"sf:{row['Id']}")


def _fail(plan: _Plan, error: str, *, retryable: bool) -> None:
    plan.errors.append(error)
    plan.retryable = plan.retryable and retryable


def _result(note: NoteToWrite, plan: _Plan) -> NoteResult:
    ids = ",".join(record_id for record_id in plan.ids if record_id)
    if not plan.errors:
        return NoteResult(note.idempotency_key, ok=True, external_id=ids)
    written = sum(1 for record_id in plan.ids if record_id)
    error = "; ".join(dict.fromkeys(plan.errors))
    if len(plan.ids) > 1:
        error = f"{written} of {len(plan.ids)} parts written; {error}"
    return NoteResult(note.idempotency_key, ok=False, external_id=ids, error=error, retryable=plan.retryable)


def _path(row: dict[str, Any] | None, dotted: str) -> Any:
    value: Any = row
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
