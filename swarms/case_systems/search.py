"""Finding a case by what a person remembers of it (its number or words of its subject), for pickers.

Each system's own search: the local store with LIKE, Salesforce with SOQL LIKE on CaseNumber and Subject
(escaped: a picker's text is user input), Zendesk with its search API. Open cases come first where the
system can tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import sessionmaker

SEARCH_LIMIT = 20
MAX_QUERY = 80


@dataclass(frozen=True, slots=True)
class CaseHit:
    number: str
    subject: str
    is_closed: bool = False


def clean_query(text: str) -> str:
    return " ".join((text or "").split())[:MAX_QUERY]


def local_search(sessions: sessionmaker, text: str, limit: int = SEARCH_LIMIT) -> list[CaseHit]:
    from swarms.case_systems.local import CLOSED_STATUSES
    from swarms.models import Case

    query = clean_query(text)
    if not query:
        return []
    pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    closed = case((func.lower(Case.status).in_(CLOSED_STATUSES), 1), else_=0)
    with sessions() as session:
        rows = session.execute(
            select(Case.number, Case.subject, closed)
            .where(or_(Case.number.ilike(pattern, escape="\\"), Case.subject.ilike(pattern, escape="\\")))
            .order_by(closed, Case.updated_at.desc(), Case.number).limit(limit)).all()
    return [CaseHit(number, subject, bool(is_closed)) for number, subject, is_closed in rows]


def salesforce_search(query_all, text: str, limit: int = SEARCH_LIMIT) -> list[CaseHit]:
    query = clean_query(text)
    if not query:
        return []
    like = _soql_like(query)
    soql = (f"SELECT CaseNumber, Subject, IsClosed FROM Case WHERE CaseNumber LIKE '{like}%' "
            f"OR Subject LIKE '%{like}%' ORDER BY IsClosed, LastModifiedDate DESC LIMIT {int(limit)}")
    return [CaseHit(str(row.get("CaseNumber") or ""), str(row.get("Subject") or ""), bool(row.get("IsClosed")))
            for row in query_all(soql)]


def zendesk_search(request, text: str, closed_statuses: frozenset[str], limit: int = SEARCH_LIMIT) -> list[CaseHit]:
    query = clean_query(text).replace('"', " ")
    if not query:
        return []
    answer: dict[str, Any] = request("GET", "/api/v2/search.json",
                                     params={"query": f"type:ticket {query}", "per_page": str(limit)}) or {}
    hits = [CaseHit(str(row.get("id")), str(row.get("subject") or ""), row.get("status") in closed_statuses)
            for row in answer.get("results", []) if row.get("id") is not None]
    return sorted(hits, key=lambda hit: hit.is_closed)[:limit]


def _soql_like(text: str) -> str:
    """Quote for a SOQL string literal inside LIKE: backslash, quote, and LIKE's own % and _."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return escaped.replace("%", "\\%").replace("_", "\\_")
