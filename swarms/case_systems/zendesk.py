"""Zendesk Support as the case system: tickets as cases, swarm notes as private comments.

A note is a private comment (`public: false`) added by `PUT /api/v2/tickets/{id}.json`. Zendesk limits
updates to one ticket (about 30 per 10 minutes per user), so all pending notes for a ticket in a batch
are folded into one comment, each section keeping its own marker line; every folded note answers with
the same comment id. The comment's author is the Zendesk agent with the Slack author's e-mail when there
is one, else the API user (the section header always names the Slack author).

Zendesk comments cannot be edited (only redacted, which destroys text), so an edit or a retraction is a
new private comment that points at the original one.

Ticket statuses `solved` and `closed` count as closed. 429 and 5xx raise `CaseSystemUnavailable` with
Zendesk's Retry-After; nothing here sleeps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
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
from swarms.case_systems.outcomes import OutcomeComparison, zendesk_outcomes
from swarms.case_systems.search import SEARCH_LIMIT, CaseHit, zendesk_search
from swarms.metrics import count_api_calls
from vendor_clients.errors import VendorError, VendorUnavailable
from vendor_clients.zendesk import DIGITS, ZendeskApiError, ZendeskClient, ZendeskConfig

log = logging.getLogger(__name__)

CLOSED_STATUSES = frozenset({"solved", "closed"})
MAX_COMMENT_CHARS = 60_000  # Zendesk caps a comment at about 64 KB; stay below it when folding
MAX_PAGES = 20
AGENT_ROLES = frozenset({"agent", "admin"})
AUDIT_FIELDS = {"status": "status", "priority": "priority", "assignee_id": "owner"}


class ZendeskCaseSystem:
    """The `CaseSystem` for Zendesk Support. Thread-safe."""

    name = "zendesk"

    def __init__(self, config: ZendeskConfig, *, session: requests.Session | None = None) -> None:
        self.config = config
        self.client = ZendeskClient(config, session=session, count=count_api_calls("zendesk"))
        self._users: dict[str, int | None] = {}
        self._users_lock = threading.Lock()

    @property
    def api_calls(self) -> int:
        return self.client.api_calls

    @in_case_system_words
    def get_case(self, number: str) -> CaseRecord:
        ticket_id = number.strip().lstrip("#")
        if not DIGITS.fullmatch(ticket_id):
            raise CaseNotFound(number)
        try:
            data = self.client.request(
                "GET", f"/api/v2/tickets/{ticket_id}.json", params={"include": "users,organizations"}
            )
        except ZendeskApiError as exc:
            if exc.status == 404:
                raise CaseNotFound(number) from None
            raise
        ticket = data["ticket"]
        users = {user["id"]: user for user in data.get("users", [])}
        orgs = {org["id"]: org for org in data.get("organizations", [])}
        requester = users.get(ticket.get("requester_id"), {})
        assignee = users.get(ticket.get("assignee_id"), {})
        product = next(
            (
                f.get("value")
                for f in ticket.get("custom_fields", [])
                if str(f.get("id")) == self.config.product_field_id
            ),
            "",
        )
        return CaseRecord(
            key=str(ticket["id"]),
            number=str(ticket["id"]),
            subject=ticket.get("subject") or "",
            description=ticket.get("description") or "",
            status=ticket.get("status") or "",
            priority=ticket.get("priority") or "",
            product=str(product or ""),
            account=orgs.get(ticket.get("organization_id"), {}).get("name", ""),
            contact_name=requester.get("name", ""),
            contact_email=requester.get("email") or "",
            owner=assignee.get("name") or assignee.get("email") or "",
            category=ticket.get("type") or "",
            language=(requester.get("locale") or "").split("-")[0].lower(),
            url=f"{self.config.base_url}/agent/tickets/{ticket['id']}",
            is_closed=ticket.get("status") in CLOSED_STATUSES,
            created_at=_datetime(ticket.get("created_at")),
            updated_at=_datetime(ticket.get("updated_at")),
            extra={"tags": ",".join(ticket.get("tags", []))} if ticket.get("tags") else {},
        )

    @in_case_system_words
    def is_closed(self, number: str) -> bool:
        return self.get_case(number).is_closed

    # --- notes -----------------------------------------------------------------------------------

    @in_case_system_words
    def add_notes(self, notes: Sequence[NoteToWrite]) -> list[NoteResult]:
        notes = list(notes)
        results: list[NoteResult | None] = [None] * len(notes)
        tickets: dict[str, list[int]] = {}
        for index, note in enumerate(notes):
            if DIGITS.fullmatch(note.case_key):
                tickets.setdefault(note.case_key, []).append(index)
            else:
                results[index] = _failed(note, f"{note.case_key!r} is not a ticket id", retryable=False)
        written = False
        groups = list(tickets.items())
        for position, (ticket, indexes) in enumerate(groups):
            try:
                outcome = self._write_ticket(ticket, [notes[index] for index in indexes])
            except VendorUnavailable as exc:
                if not written:
                    raise
                # Earlier tickets were written: report them, and the rest as not sent.
                for _, later in groups[position:]:
                    for index in later:
                        results[index] = _failed(notes[index], f"not sent: {exc}", retryable=True)
                break
            for index, result in zip(indexes, outcome, strict=True):
                results[index] = result
            written = written or any(result.ok for result in outcome)
        return [result for result in results if result is not None]

    def _write_ticket(self, ticket: str, notes: list[NoteToWrite]) -> list[NoteResult]:
        results: list[NoteResult | None] = [None] * len(notes)
        try:
            found = self._find_written(ticket) if any(note.maybe_written for note in notes) else {}
        except ZendeskApiError as exc:
            return [_failed(note, _ticket_error(ticket, exc), retryable=exc.status == 409) for note in notes]
        pending: list[int] = []
        for index, note in enumerate(notes):
            comment_id = found.get(note_text.safe_key(note.idempotency_key)) if note.maybe_written else None
            if comment_id:
                results[index] = NoteResult(note.idempotency_key, ok=True, external_id=comment_id)
            elif note.kind != NoteKind.ADD and not note.external_id:
                results[index] = _failed(note, f"nothing to {note.kind.value}: no comment id", retryable=False)
            else:
                pending.append(index)
        for fold in _folds([notes[index] for index in pending], pending):
            fold_notes = [notes[index] for index in fold]
            comment = {"body": note_text.fold(_section(note) for note in fold_notes), "public": False}
            author_id = self._author_id(fold_notes)
            if author_id:
                comment["author_id"] = author_id
            try:
                answer = self.client.request(
                    "PUT", f"/api/v2/tickets/{ticket}.json", json={"ticket": {"comment": comment}}
                )
            except ZendeskApiError as exc:
                for index in fold:
                    results[index] = _failed(notes[index], _ticket_error(ticket, exc), retryable=exc.status == 409)
                continue
            comment_id = _comment_id(answer)
            for index in fold:
                results[index] = NoteResult(notes[index].idempotency_key, ok=True, external_id=comment_id)
        return [result for result in results if result is not None]

    def _find_written(self, ticket: str) -> dict[str, str]:
        """{marker key: comment id} for the markers already on the ticket."""
        found: dict[str, str] = {}
        for page in self._pages(f"/api/v2/tickets/{ticket}/comments.json"):
            for comment in page.get("comments", []):
                for marker in note_text.find_markers(comment.get("body") or ""):
                    found[marker.key] = str(comment["id"])
        return found

    def _author_id(self, notes: list[NoteToWrite]) -> int | None:
        """The Zendesk agent with the authors' e-mail, when every folded note has the same author."""
        emails = {note.author_email.strip().lower() for note in notes}
        if len(emails) != 1 or not (email := emails.pop()):
            return None
        with self._users_lock:
            if email in self._users:
                return self._users[email]
        try:
            data = self.client.request("GET", "/api/v2/users/search.json", params={"query": f"email:{email}"})
            users = data.get("users", [])
        except ZendeskApiError:
            users = []
        match = next(
            (u["id"] for u in users if (u.get("email") or "").lower() == email and u.get("role") in AGENT_ROLES), None
        )
        with self._users_lock:
            self._users[email] = match
        return match

    def _pages(self, path: str, params: dict[str, str] | None = None):
        url: str | None = path
        for _ in range(MAX_PAGES):
            if not url:
                return
            page = self.client.request("GET", url, params=params)
            yield page
            has_more = page.get("meta", {}).get("has_more")
            url = page.get("links", {}).get("next") if has_more else page.get("next_page")
            params = None  # next-page URLs carry their own query

    # --- changes ---------------------------------------------------------------------------------

    @in_case_system_words
    def changes_since(self, case_keys: Sequence[str], since: datetime) -> list[CaseChange]:
        """Status, priority and assignee changes and public end-user comments, from ticket audits."""
        after = since.replace(tzinfo=UTC) if since.tzinfo is None else since
        changes: list[CaseChange] = []
        for ticket in sorted({key for key in case_keys if DIGITS.fullmatch(key)}):
            try:
                for page in self._pages(f"/api/v2/tickets/{ticket}/audits.json", {"include": "users"}):
                    users = {user["id"]: user for user in page.get("users", [])}
                    for audit in page.get("audits", []):
                        at = _datetime(audit.get("created_at"))
                        if at and at > after:
                            changes.extend(_audit_changes(ticket, audit, at, users))
            except ZendeskApiError as exc:
                log.info("Zendesk: no audits for ticket %s (%s)", ticket, exc)
        return sorted(changes, key=lambda change: (change.at, change.change_id))

    # --- check -----------------------------------------------------------------------------------

    @in_case_system_words
    def search_cases(self, text: str, limit: int = SEARCH_LIMIT) -> list[CaseHit]:
        return zendesk_search(self.client.request, text, CLOSED_STATUSES, limit)

    @in_case_system_words
    def closed_case_outcomes(self, start: datetime, end: datetime, swarmed_keys: Sequence[str],
                             elsewhere_keys: Sequence[str]) -> OutcomeComparison:
        return zendesk_outcomes(self.client.request, start, end, swarmed_keys, elsewhere_keys)

    @in_case_system_words
    def check(self) -> list[CheckLine]:
        """Login and role, reading tickets, the Help Center section, the webhook secret, in words."""
        try:
            me = self.client.request("GET", "/api/v2/users/me.json")["user"]
        except VendorError as exc:
            return [CheckLine(False, f"Zendesk login fails ({self.config.auth_words})", str(exc))]
        role = me.get("role") or "anonymous"
        if not me.get("id") or role not in AGENT_ROLES:
            return [CheckLine(False, f"Zendesk answers, but as {role}: private comments need an agent or admin")]
        lines = [CheckLine(True, f"Zendesk login works ({self.config.auth_words}, {role}) at {self.config.base_url}")]
        for step in (self._check_tickets, self._check_section):
            try:
                lines.append(step())
            except VendorError as exc:
                lines.append(CheckLine(False, "Zendesk refused a check", str(exc)))
        if not self.config.webhook_secret:
            lines.append(CheckLine(True, "ZENDESK_WEBHOOK_SECRET is not set", "ticket changes are polled only"))
        return lines

    def _check_tickets(self) -> CheckLine:
        tickets = self.client.request("GET", "/api/v2/tickets.json", params={"per_page": 1}).get("tickets", [])
        return CheckLine(True, f"Tickets can be read (e.g. #{tickets[0]['id']})" if tickets else "Tickets can be read")

    def _check_section(self) -> CheckLine:
        section, locale = self.config.help_center_section_id, self.config.help_center_locale
        if not section:
            return CheckLine(False, "ZENDESK_HELP_CENTER_SECTION_ID is not set: knowledge drafts cannot be exported")
        try:
            found = self.client.request("GET", f"/api/v2/help_center/{locale}/sections/{section}.json")["section"]
        except ZendeskApiError as exc:
            if exc.status != 404:
                raise
            return CheckLine(
                False, f"Help Center section {section} not found in {locale}: set ZENDESK_HELP_CENTER_SECTION_ID"
            )
        return CheckLine(True, f'Knowledge drafts go to Help Center section "{found.get("name", section)}" ({locale})')


def _audit_changes(ticket: str, audit: dict, at: datetime, users: dict) -> list[CaseChange]:
    author = users.get(audit.get("author_id"), {})
    changes = []
    for event in audit.get("events", []):
        change_id = f"zd:{audit.get('id')}:{event.get('id')}"
        if event.get("type") == "Change" and event.get("field_name") in AUDIT_FIELDS:
            old, new = event.get("previous_value"), event.get("value")
            if event["field_name"] == "assignee_id":
                old, new = (users.get(_int(v), {}).get("name") or (str(v) if v else "") for v in (old, new))
            field_name = AUDIT_FIELDS[event["field_name"]]
            changes.append(
                CaseChange(ticket, field_name, str(old or ""), str(new or ""), at, author.get("name", ""), change_id)
            )
        elif event.get("type") == "Comment" and event.get("public") and author.get("role") == "end-user":
            body = event.get("body") or ""
            if not note_text.has_marker(body):
                changes.append(CaseChange(ticket, "public_comment", "", body, at, author.get("name", ""), change_id))
    return changes


def _section(note: NoteToWrite) -> str:
    key = note.idempotency_key
    if note.kind == NoteKind.RETRACT:
        line = note_text.retracted_line(note)
        return f"{line[:-1]}: the note in comment {note.external_id} is withdrawn]\n{note_text.marker_line(key)}"
    text = note.body
    if note.kind == NoteKind.EDIT:
        text = f"[replaces the note in comment {note.external_id}; Zendesk comments cannot be edited]\n{text}"
    return note_text.compose(note_text.header_line(note), text, key)


def _folds(notes: list[NoteToWrite], indexes: list[int]) -> list[list[int]]:
    """Consecutive notes grouped so that each folded comment stays under the size cap."""
    folds: list[list[int]] = []
    size = 0
    for note, index in zip(notes, indexes, strict=True):
        length = len(_section(note)) + 7
        if not folds or size + length > MAX_COMMENT_CHARS:
            folds.append([])
            size = 0
        folds[-1].append(index)
        size += length
    return folds


def _comment_id(answer: Any) -> str:
    events = (answer or {}).get("audit", {}).get("events", [])
    return next((str(event["id"]) for event in events if event.get("type") == "Comment"), "")


def _ticket_error(ticket: str, exc: ZendeskApiError) -> str:
    if exc.status == 404:
        return f"ticket {ticket} not found (deleted?)"
    return str(exc)


def _failed(note: NoteToWrite, error: str, *, retryable: bool) -> NoteResult:
    return NoteResult(note.idempotency_key, ok=False, error=error, retryable=retryable)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
