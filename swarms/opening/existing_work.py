"""Before a new swarm opens: work that already exists on the same problem, so people join it instead.

Three kinds are looked at: open swarms on other cases (join them), resolved swarms (how it was solved)
and published knowledge articles (read them). They are scored against the new case with the character
n-gram TF-IDF that knowledge drafts already use to find similar articles (it matches Korean, where
particles stick to words, and codes such as E-21 as well as English); Korean text carries the English
words of its terms (`bilingual_terms`), so a case reported in Korean meets work recorded in English.
Offered only above a score measured on a labelled set (tests/data/duplicate_cases.json, bench/duplicates.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_export.similar import text_similarity
from swarms.case_systems.base import CaseRecord
from swarms.knowledge.models import DraftState, KnowledgeDraft
from swarms.models import Swarm, SwarmStatus
from swarms.opening.bilingual_terms import has_hangul, with_english

# Chosen on the labelled set (bench/duplicates.py). A Korean case carries the English words of its terms
# as well, which makes it longer and its cosine lower against the same work: it has its own floor.
MIN_SCORE = 0.30
MIN_SCORE_KOREAN = 0.25
OFFERS = 3
RECENT_RESOLVED = 500  # resolved swarms and articles looked at, newest first
QUERY_DESCRIPTION_CHARS = 400


class WorkKind(enum.StrEnum):
    OPEN_SWARM = "open_swarm"
    RESOLVED_SWARM = "resolved_swarm"
    ARTICLE = "article"


@dataclass(frozen=True, slots=True)
class ExistingWork:
    kind: WorkKind
    swarm_id: int
    case_number: str
    title: str
    detail: str  # the resolution summary of a resolved swarm, the summary of an article
    channel_id: str = ""  # an open swarm's channel
    location: str = ""  # where an article was published (a URL or a folder path)
    score: float = 0.0


def case_query(case: CaseRecord) -> str:
    """The subject twice (it names the problem), the product, the start of the description."""
    text = f"{case.subject}\n{case.subject}\n{case.product}\n{(case.description or '')[:QUERY_DESCRIPTION_CHARS]}"
    return with_english(text)


def find_existing_work(session: Session, case: CaseRecord, case_system: str, *, limit: int = OFFERS,
                       min_score: float | None = None) -> list[ExistingWork]:
    """The work most like `case`, best first; an article stands for the swarm it came from."""
    candidates = _open_swarms(session, case, case_system) + _resolved(session, case_system)
    if not candidates:
        return []
    documents = [with_english(f"{c.title}\n{c.title}\n{c.detail[:600]}") for c in candidates]
    query = case_query(case)
    floor = min_score if min_score is not None else (MIN_SCORE_KOREAN if has_hangul(query) else MIN_SCORE)
    scored = [ExistingWork(**{**_fields(c), "score": round(score, 4)})
              for c, score in zip(candidates, text_similarity(query, documents), strict=True) if score >= floor]
    scored.sort(key=lambda w: (-w.score, w.kind != WorkKind.OPEN_SWARM, w.swarm_id))
    return scored[:limit]


def _fields(work: ExistingWork) -> dict:
    return {name: getattr(work, name) for name in ExistingWork.__slots__}


def _open_swarms(session: Session, case: CaseRecord, case_system: str) -> list[ExistingWork]:
    rows = session.execute(
        select(Swarm.id, Swarm.case_number, Swarm.case_subject, Swarm.case_product, Swarm.channel_id)
        .where(Swarm.status == SwarmStatus.OPEN, Swarm.case_system == case_system, Swarm.case_key != case.key,
               Swarm.channel_id.is_not(None)))
    return [ExistingWork(WorkKind.OPEN_SWARM, swarm_id, number, subject, product or "", channel_id=channel or "")
            for swarm_id, number, subject, product, channel in rows]


def _resolved(session: Session, case_system: str) -> list[ExistingWork]:
    """Resolved swarms with what solved them; where an article was published from one, the article."""
    rows = session.execute(
        select(Swarm.id, Swarm.case_number, Swarm.case_subject, Swarm.resolution_summary, KnowledgeDraft.draft,
               KnowledgeDraft.state, KnowledgeDraft.export_location)
        .outerjoin(KnowledgeDraft, KnowledgeDraft.swarm_id == Swarm.id)
        .where(Swarm.status.in_([SwarmStatus.CLOSED, SwarmStatus.ARCHIVED]), Swarm.case_system == case_system)
        .order_by(Swarm.closed_at.desc().nulls_last(), Swarm.id.desc()).limit(RECENT_RESOLVED))
    found = []
    for swarm_id, number, subject, summary, draft, state, location in rows:
        if state == DraftState.PUBLISHED and isinstance(draft, dict):
            title = str(draft.get("title") or subject)
            detail = " ".join(str(draft.get(k) or "") for k in ("problem", "resolution"))
            found.append(ExistingWork(WorkKind.ARTICLE, swarm_id, number, title, detail, location=location or ""))
        elif summary:
            found.append(ExistingWork(WorkKind.RESOLVED_SWARM, swarm_id, number, subject, summary))
    return found
