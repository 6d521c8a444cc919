"""The built-in case store: cases and their notes live in the app's own database.

It behaves like a remote system on purpose: it opens its own transactions, so a note written here is
committed apart from the outbox row that asked for it, exactly as with Salesforce or Zendesk.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from swarms.case_systems.base import (
    CaseChange,
    CaseNotFound,
    CaseRecord,
    CheckLine,
    NoteKind,
    NoteResult,
    NoteToWrite,
)
from swarms.case_systems.outcomes import OutcomeComparison, local_outcomes
from swarms.case_systems.search import SEARCH_LIMIT, CaseHit, local_search
from swarms.db import utcnow
from swarms.models import Case, LocalCaseEvent, LocalCaseNote

CLOSED_STATUSES = frozenset({"closed", "resolved", "solved", "종료", "해결"})


def is_closed_status(status: str) -> bool:
    return status.strip().lower() in CLOSED_STATUSES


class LocalCaseSystem:
    name = "local"

    def __init__(self, session_factory: sessionmaker, *, url_template: str = "") -> None:
        self._sessions = session_factory
        self._url_template = url_template

    def get_case(self, number: str) -> CaseRecord:
        with self._sessions() as session:
            case = _find(session, number)
            return self._record(case)

    def is_closed(self, number: str) -> bool:
        return self.get_case(number).is_closed

    def add_notes(self, notes: Sequence[NoteToWrite]) -> list[NoteResult]:
        return [self._write_one(note) for note in notes]

    def _write_one(self, note: NoteToWrite) -> NoteResult:
        try:
            with self._sessions.begin() as session:
                case = _find(session, note.case_key)
                external_id = _add(session, case, note) if note.kind == NoteKind.ADD else _change(session, note)
            return NoteResult(note.idempotency_key, ok=True, external_id=external_id)
        except CaseNotFound:
            return NoteResult(note.idempotency_key, ok=False, error="case not found", retryable=False)
        except IntegrityError:
            # The key is already there: an earlier attempt landed. That is success, not a duplicate.
            with self._sessions() as session:
                existing = session.scalar(
                    select(LocalCaseNote).where(LocalCaseNote.idempotency_key == note.idempotency_key)
                )
            return NoteResult(note.idempotency_key, ok=True, external_id=str(existing.id if existing else ""))

    def changes_since(self, case_keys: Sequence[str], since: datetime) -> list[CaseChange]:
        if not case_keys:
            return []
        with self._sessions() as session:
            rows = session.execute(
                select(LocalCaseEvent, Case.number)
                .join(Case, Case.id == LocalCaseEvent.case_id)
                .where(Case.number.in_(list(case_keys)), LocalCaseEvent.at > since)
                .order_by(LocalCaseEvent.at, LocalCaseEvent.id)
            ).all()
        return [
            CaseChange(number, ev.field, ev.old, ev.new, ev.at, ev.author, change_id=f"local-{ev.id}")
            for ev, number in rows
        ]

    def search_cases(self, text: str, limit: int = SEARCH_LIMIT) -> list[CaseHit]:
        return local_search(self._sessions, text, limit)

    def closed_case_outcomes(self, start: datetime, end: datetime, swarmed_keys: Sequence[str],
                             elsewhere_keys: Sequence[str]) -> OutcomeComparison:
        return local_outcomes(self._sessions, start, end, swarmed_keys, elsewhere_keys)

    def check(self) -> list[CheckLine]:
        with self._sessions() as session:
            count = session.query(Case.id).count()
        return [CheckLine(True, "Local case store works", f"{count} cases in the app's database")]

    def _record(self, case: Case) -> CaseRecord:
        url = self._url_template.format(number=case.number) if self._url_template else ""
        return CaseRecord(
            key=case.number,
            number=case.number,
            subject=case.subject,
            description=case.description,
            status=case.status,
            priority=case.priority,
            product=case.product,
            account=case.account,
            contact_name=case.contact_name,
            contact_email=case.contact_email,
            owner=case.owner,
            category=case.category,
            language=case.language,
            url=url,
            is_closed=is_closed_status(case.status),
            created_at=case.created_at,
            updated_at=case.updated_at,
            extra={str(k): str(v) for k, v in (case.extra or {}).items()},
        )


def _find(session: Session, number: str) -> Case:
    case = session.scalar(select(Case).where(Case.number == number.strip()))
    if case is None:
        raise CaseNotFound(number)
    return case


def _add(session: Session, case: Case, note: NoteToWrite) -> str:
    row = LocalCaseNote(
        case_id=case.id,
        idempotency_key=note.idempotency_key,
        author_name=note.author_name,
        body=note.body,
        created_at=note.created_at,
        updated_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return str(row.id)


def _change(session: Session, note: NoteToWrite) -> str:
    """Edits and retractions rewrite the note in place; the key of the change itself is recorded too."""
    target = session.get(LocalCaseNote, int(note.external_id)) if note.external_id.isdigit() else None
    if target is None:
        raise CaseNotFound(note.case_key)
    if note.kind == NoteKind.RETRACT:
        target.retracted = True
    target.body = note.body
    target.updated_at = utcnow()
    # Keep the revision itself (the audit trail), under the change's own key so a redelivery of the
    # same edit is recognised by the unique constraint.
    session.add(
        LocalCaseNote(
            case_id=target.case_id,
            idempotency_key=note.idempotency_key,
            author_name=note.author_name,
            body=note.body,
            revises_id=target.id,
            retracted=note.kind == NoteKind.RETRACT,
        )
    )
    session.flush()
    return str(target.id)


def set_case_field(session: Session, number: str, field: str, value: str, *, author: str = "") -> Case:
    """Change a local case as the case system would, leaving an event for the case-change poll."""
    case = _find(session, number)
    old = getattr(case, field)
    if old == value:
        return case
    setattr(case, field, value)
    now = utcnow()
    case.updated_at = now
    if field == "status":
        case.closed_at = now if is_closed_status(value) else None
    session.add(LocalCaseEvent(case_id=case.id, field=field, old=old or "", new=value, author=author, at=now))
    session.flush()
    return case
