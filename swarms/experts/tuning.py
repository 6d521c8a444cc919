"""The finder tunes itself on a workspace's own resolved swarms (`case-swarm experts tune`, and monthly).

The truth of a swarm is who was credited with its resolution. Each resolved swarm is ranked as the app
ranks (`ranking.case_features`, the directory as it is now with availability and load neutralised), with
only the history of earlier swarms (help recorded before it opened). `tuning.retune` decides, as the
evaluation's replay of this monthly tuning does: tuned on all but the newest swarms (15% of them, at least
EXPERTS_TUNE_MEASURE_LAST) and measured on those, before (the weights in use) and after; new weights are
stored as the next version only when they rank the held-out swarms at least as well, and the app then
ranks with the newest version. With fewer resolved swarms than it needs, nothing changes. Each workspace
(team) is tuned on its own swarms and directory, and its versions are its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expert_finder.directory_index import DirectoryIndex
from expert_finder.history import HistoryIndex
from expert_finder.models import TUNE_MAX_SAMPLES, TUNE_MEASURE_SHARE, CaseQuery, RankingPolicy, WorkingHours
from expert_finder.ranking import case_features
from expert_finder.tuning import Figures, Sample, needed_samples, retune
from swarms.experts.finder import CLOSED, expert_profiles, past_help, weights_in_use
from swarms.experts.models import ExpertWeights
from swarms.experts.settings import ExpertSettings
from swarms.models import Case, Swarm, SwarmMember

ALWAYS = WorkingHours("UTC", time(0), time(23, 59, 59, 999999), frozenset(range(7)))


@dataclass(frozen=True)
class TuneResult:
    status: Literal["stored", "kept", "too_few"]
    resolved_swarms: int
    needed: int
    measured_on: int = 0
    before: Figures | None = None
    after: Figures | None = None
    version: int = 0  # the version in use afterwards (0: the built-in defaults)
    previous_version: int = 0


@dataclass(frozen=True)
class _Resolved:
    swarm_id: int
    case_key: str
    opened_at: datetime
    query: CaseQuery
    credited: frozenset[str]


def resolved_swarms(session: Session, team_id: str) -> list[_Resolved]:
    """`team_id`'s closed swarms with at least one person credited with the resolution, oldest first."""
    credited: dict[int, set[str]] = {}
    for swarm_id, user_id in session.execute(
        select(SwarmMember.swarm_id, SwarmMember.user_id).join(Swarm, Swarm.id == SwarmMember.swarm_id)
        .where(Swarm.team_id == team_id, SwarmMember.credited.is_(True), Swarm.status.in_(CLOSED))
    ):
        credited.setdefault(swarm_id, set()).add(user_id)
    out = []
    for swarm in session.scalars(select(Swarm).where(Swarm.id.in_(list(credited))).order_by(Swarm.opened_at,
                                                                                           Swarm.id)):
        description = ""
        if swarm.case_system == "local":
            description = session.scalar(select(Case.description).where(Case.number == swarm.case_number)) or ""
        query = CaseQuery(swarm.case_subject, description, product=swarm.case_product)
        out.append(_Resolved(swarm.id, swarm.case_key, swarm.opened_at, query, frozenset(credited[swarm.id])))
    return out


def _samples(session: Session, team_id: str, swarms: list[_Resolved], policy: RankingPolicy) -> list[Sample]:
    """Each swarm's features as the app computes them, from the help recorded before it opened."""
    profiles = [replace(p, hours=ALWAYS, active_swarms=0, max_concurrent=1_000_000, opted_out=False)
                for p in expert_profiles(session, team_id)]
    directory = DirectoryIndex.build(profiles)
    latest = max(s.opened_at for s in swarms)
    history = past_help(session, team_id, now=latest)
    samples = []
    for s in swarms:
        earlier = [h for h in history if h.at < s.opened_at and h.case_key != s.case_key]
        feats = case_features(s.query, directory, HistoryIndex.build(earlier), now=s.opened_at, policy=policy)
        truth = frozenset(directory.position[u] for u in s.credited if u in directory.position)
        if truth:
            samples.append(Sample(feats.values, feats.code == 0, truth))
    return samples


def tune_on_swarms(session: Session, team_id: str, settings: ExpertSettings, *, now: datetime,
                   trigger: str = "cli", measure_last: int | None = None) -> TuneResult:
    """Tune `team_id`'s weights on all but its newest resolved swarms, measure on those, store its next
    version if not worse. Measured on exactly `measure_last` when given (`experts tune --last N`), else on
    `tuning.held_out` of them (a share, at least `settings.tune_measure_last`)."""
    last = measure_last or settings.tune_measure_last
    share = 0.0 if measure_last else TUNE_MEASURE_SHARE
    needed = needed_samples(settings.tune_min_swarms, last)
    swarms = resolved_swarms(session, team_id)[-TUNE_MAX_SAMPLES:]
    if len(swarms) < needed:
        return TuneResult("too_few", len(swarms), needed)
    version, current = weights_in_use(session, team_id)
    policy = settings.policy(weights=current)
    samples = _samples(session, team_id, swarms, policy)
    decided = retune(samples, current, min_samples=settings.tune_min_swarms, measure_last=last, share=share)
    if decided.status == "too_few" or decided.before is None or decided.after is None:
        return TuneResult("too_few", len(samples), needed)
    before, after = decided.before, decided.after
    if decided.status == "kept":
        return TuneResult("kept", len(swarms), needed, before.cases, before, after, version, version)
    newest = (session.scalar(select(func.max(ExpertWeights.version)).where(ExpertWeights.team_id == team_id))
              or 0) + 1
    session.add(ExpertWeights(team_id=team_id, version=newest, weights=decided.weights, tuned_on=decided.tuned_on,
                              measured_on=before.cases, before=before.as_dict(), after=after.as_dict(),
                              trigger=trigger, created_at=now))
    session.flush()
    return TuneResult("stored", len(swarms), needed, before.cases, before, after, newest, version)
