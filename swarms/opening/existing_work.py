"""Before a new swarm opens: work that already exists on the same problem, so people join it instead.

Three kinds are looked at: open swarms on other cases (join them), resolved swarms (how it was solved)
and published knowledge articles (read them). Each is compared with the new case by
`swarms.opening.problem_similarity` (words and letter 3-grams across Korean and English, codes, the product,
and the texts' meaning when the sentence encoder is installed). Something is offered only when the best is
above a floor and, when it is not far above it, clearly ahead of the next: a score just over the floor among
many alike is a guess. Scores with meaning run higher, so each comparison has its own floor and margin
(`OfferRule`), chosen on the development sets of bench/duplicates.py; its held-out set says how well they
carry over.
"""

from __future__ import annotations

import enum
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from swarms.case_systems.base import CaseRecord
from swarms.knowledge.models import DraftState, KnowledgeDraft
from swarms.models import Swarm, SwarmStatus

if TYPE_CHECKING:  # the similarity (numpy, the Korean analyser) loads at the first offer, not at start
    from swarms.opening.problem_similarity import Candidates

OFFERS = 3
RECENT_RESOLVED = 5000  # resolved swarms and articles looked at, newest first
QUERY_DESCRIPTION_CHARS = 400
TEAMS_KEPT = 32  # workspaces whose work is kept indexed, the most recently asked
DETAIL_CHARS = 600


_OFFERED_STATUSES = (SwarmStatus.OPEN, SwarmStatus.CLOSED, SwarmStatus.ARCHIVED)
# A case no swarm has (its key is empty) and with no words: warming loads the Korean analyser only when the
# work itself holds Korean (its model is ~300 MB, and its load holds the interpreter for about a second).
_WARMING_PROBE = CaseRecord(key="", number="", subject="")


@dataclass(frozen=True, slots=True)
class OfferRule:
    """When the best is clearly a match: at least `floor`, and below `clear` ahead of the next by `margin`."""

    floor: float
    clear: float
    margin: float

    def offers(self, best: float, runner_up: float) -> bool:
        """Whether a best score of `best`, with the next at `runner_up`, is offered."""
        return best >= self.floor and (best >= self.clear or best - runner_up >= self.margin)


WORDS_RULE = OfferRule(floor=0.22, clear=0.35, margin=0.06)  # words, letters and codes
MEANING_RULE = OfferRule(floor=0.26, clear=0.55, margin=0.10)  # ... and meaning (`problem_meaning`)


def offer_rule(index: Candidates) -> OfferRule:
    """The rule for the scores `index` gives: with meaning they run higher."""
    return MEANING_RULE if index.with_meaning else WORDS_RULE


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
    product: str = ""
    score: float = 0.0


def case_text(case: CaseRecord) -> str:
    """The subject twice (it names the problem), then the start of the description."""
    return f"{case.subject}\n{case.subject}\n{(case.description or '')[:QUERY_DESCRIPTION_CHARS]}"


def work_text(work: ExistingWork) -> str:
    return f"{work.title}\n{work.title}\n{work.detail[:DETAIL_CHARS]}"


def find_existing_work(session: Session, work: WorkCache, team_id: str, case: CaseRecord, case_system: str, *,
                       limit: int = OFFERS, min_score: float | None = None) -> list[ExistingWork]:
    """The work most like `case`, best first, when the best is clearly a match; an article stands for the
    swarm it came from. `min_score` replaces the floor (and drops the margin): benchmarks sweep it.
    Only the work of `team_id`'s workspace is offered; `work` is what this process remembers of it."""
    candidates, index = work.candidates(session, team_id, case, case_system)
    if not candidates:
        return []
    from swarms.opening.problem_similarity import analyse

    best = index.best(analyse(case_text(case), case.product), limit + 8)  # ties further down change nothing shown
    ranked = sorted(((score, candidates[i]) for i, score in best),
                    key=lambda pair: (-pair[0], pair[1].kind != WorkKind.OPEN_SWARM, pair[1].swarm_id))
    rule = offer_rule(index) if min_score is None else OfferRule(min_score, min_score, 0.0)
    if not rule.offers(ranked[0][0], ranked[1][0] if len(ranked) > 1 else 0.0):
        return []
    return [replace(found, score=round(score, 4)) for score, found in ranked[:limit] if score >= rule.floor]


def teams_with_work(session: Session, case_system: str) -> list[str]:
    """The workspaces with swarms that an offer would look at, most recently active first, as many as a
    `WorkCache` keeps."""
    return list(session.scalars(
        select(Swarm.team_id).where(Swarm.case_system == case_system, Swarm.status.in_(_OFFERED_STATUSES))
        .group_by(Swarm.team_id).order_by(func.max(Swarm.id).desc()).limit(TEAMS_KEPT)))


def warm_existing_work(session: Session, work: WorkCache, team_id: str, case_system: str) -> None:
    """Read and index the workspace's work (analysing it loads what it needs: the Korean analyser if it holds
    Korean), so its first offer after a start costs what later ones do."""
    find_existing_work(session, work, team_id, _WARMING_PROBE, case_system)


@dataclass
class _TeamWork:
    """One workspace's resolved work as last read (swarm id → (version, work)) and its index."""

    resolved: dict[int, tuple[tuple, ExistingWork | None]] = field(default_factory=dict)
    index: tuple[tuple, Candidates] | None = None
    # One build at a time: a `/swarm` during the warm-up waits for its index instead of encoding every text again.
    building: threading.Lock = field(default_factory=threading.Lock)


class WorkCache:
    """What this process has read and indexed of each workspace's work, so an offer reads only what changed.

    Owned by the app (`bot.services.AppServices.existing_work`) and passed in; kept per workspace and case system, so
    workspaces asking in turn do not rebuild each other's index, and the least recently asked of more than
    `TEAMS_KEPT` is forgotten. A resolved swarm's text changes only when it is closed again (`closed_at`) or
    its draft changes (`updated_at`, `state`): those and its case make its version, and a version not seen
    before is read again. Open swarms are read whole each time (a subject and a product). The index is rebuilt
    when any candidate changed; each text's analysis is cached apart, so a rebuild costs no re-analysis.
    Nothing is read at start (start-up stays light: bench/startup.py).
    """

    def __init__(self, *, meaning: bool = True) -> None:
        self.meaning = meaning  # compare meaning too where the encoder is installed (SWARM_OFFER_MEANING)
        self._lock = threading.Lock()
        self._teams: OrderedDict[tuple[str, str], _TeamWork] = OrderedDict()

    def indexed(self, team_id: str, case_system: str) -> bool:
        """Whether an index of this workspace's work is held (the next unchanged offer reads no text)."""
        with self._lock:
            team = self._teams.get((team_id, case_system))
            return team is not None and team.index is not None

    def candidates(self, session: Session, team_id: str, case: CaseRecord,
                   case_system: str) -> tuple[list[ExistingWork], Candidates]:
        """The workspace's open swarms (but `case`'s own) and recent resolved work, with their index."""
        open_work = _open_swarms(session, team_id, case, case_system)
        versions = [(swarm_id, tuple(version)) for swarm_id, *version in session.execute(
            select(Swarm.id, Swarm.case_key, Swarm.closed_at, KnowledgeDraft.state, KnowledgeDraft.updated_at)
            .outerjoin(KnowledgeDraft, KnowledgeDraft.swarm_id == Swarm.id)
            .where(Swarm.team_id == team_id, Swarm.status.in_([SwarmStatus.CLOSED, SwarmStatus.ARCHIVED]),
                   Swarm.case_system == case_system)
            .order_by(Swarm.closed_at.desc().nulls_last(), Swarm.id.desc()).limit(RECENT_RESOLVED))]
        with self._lock:
            team = self._team(team_id, case_system)
            known = dict(team.resolved)
        stale = [swarm_id for swarm_id, version in versions if known.get(swarm_id, ((),))[0] != version]
        fresh = {found.swarm_id: found for chunk in range(0, len(stale), 500)
                 for found in _resolved(session, stale[chunk:chunk + 500])}
        for swarm_id, version in versions:
            if swarm_id in fresh or swarm_id in stale:
                known[swarm_id] = (version, fresh.get(swarm_id))
        resolved = [found for swarm_id, _ in versions if (found := known[swarm_id][1]) is not None]
        candidates = open_work + resolved
        key = (tuple((w.swarm_id, w.title, w.product) for w in open_work), tuple(versions))
        with self._lock:
            if len(known) > 2 * RECENT_RESOLVED:  # swarms long out of the window are forgotten
                known = {swarm_id: known[swarm_id] for swarm_id, _ in versions}
            team.resolved = known
            index = self._index(team, key)
        if index is None:
            with team.building:
                with self._lock:
                    index = self._index(team, key)  # built meanwhile by the one this waited for
                if index is None:
                    from swarms.opening.problem_similarity import Candidates, analyse

                    index = Candidates([analyse(work_text(found), found.product) for found in candidates],
                                       meaning=self.meaning)
                    with self._lock:
                        team.index = (key, index)
        return candidates, index

    @staticmethod
    def _index(team: _TeamWork, key: tuple) -> Candidates | None:
        """The workspace's index if it was built for exactly this work (called under the lock)."""
        return team.index[1] if team.index is not None and team.index[0] == key else None

    def _team(self, team_id: str, case_system: str) -> _TeamWork:
        """This workspace's entry, now the most recently asked (called under the lock)."""
        key = (team_id, case_system)
        team = self._teams.pop(key, None) or _TeamWork()
        self._teams[key] = team
        while len(self._teams) > TEAMS_KEPT:
            self._teams.popitem(last=False)
        return team


def _open_swarms(session: Session, team_id: str, case: CaseRecord, case_system: str) -> list[ExistingWork]:
    rows = session.execute(
        select(Swarm.id, Swarm.case_number, Swarm.case_subject, Swarm.case_product, Swarm.channel_id)
        .where(Swarm.team_id == team_id, Swarm.status == SwarmStatus.OPEN, Swarm.case_system == case_system,
               Swarm.case_key != case.key,
               Swarm.channel_id.is_not(None)).order_by(Swarm.id))
    return [ExistingWork(WorkKind.OPEN_SWARM, swarm_id, number, subject, "", channel_id=channel or "",
                         product=product or "")
            for swarm_id, number, subject, product, channel in rows]


def _resolved(session: Session, swarm_ids: list[int]) -> list[ExistingWork]:
    """These resolved swarms with what solved them; where an article was published from one, the article."""
    rows = session.execute(
        select(Swarm.id, Swarm.case_number, Swarm.case_subject, Swarm.case_product, Swarm.resolution_summary,
               KnowledgeDraft.draft, KnowledgeDraft.state, KnowledgeDraft.export_location)
        .outerjoin(KnowledgeDraft, KnowledgeDraft.swarm_id == Swarm.id).where(Swarm.id.in_(swarm_ids)))
    found = []
    for swarm_id, number, subject, product, summary, draft, state, location in rows:
        if state == DraftState.PUBLISHED and isinstance(draft, dict):
            title = str(draft.get("title") or subject)
            detail = " ".join(str(draft.get(k) or "") for k in ("problem", "resolution"))
            found.append(ExistingWork(WorkKind.ARTICLE, swarm_id, number, title, detail, location=location or "",
                                      product=product or ""))
        elif summary:
            found.append(ExistingWork(WorkKind.RESOLVED_SWARM, swarm_id, number, subject, summary,
                                      product=product or ""))
    return found
