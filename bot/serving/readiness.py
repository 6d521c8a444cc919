"""`/readyz`: may this process get traffic, and if not, why (the reasons a load balancer's log shows)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from sqlalchemy import text

from bot.services import AppServices


@dataclass
class Readiness:
    ready: bool
    reasons: list[str] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"ready": self.ready, "reasons": self.reasons, **self.checks}


@functools.cache
def code_heads() -> frozenset[str]:
    """The version rows an up-to-date database holds for this code (read once: parsing scripts is slow).

    Alembic keeps no row for a head that another head depends on (0006 depends on 0002), so those drop out."""
    from alembic.script import ScriptDirectory

    from swarms.db import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))

    def parents(revision: str) -> set[str]:
        script = scripts.get_revision(revision)
        found: set[str] = set()
        for link in (script.down_revision, script.dependencies):
            found.update((link,) if isinstance(link, str) else link or ())
        return found

    def ancestors(revision: str) -> set[str]:
        seen, todo = set(), list(parents(revision))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(parents(current))
        return seen

    heads = set(scripts.get_heads())
    covered = set().union(*(ancestors(head) for head in heads))
    return frozenset(heads - covered)


def readiness(services: AppServices) -> Readiness:
    checks: dict[str, str] = {}
    reasons: list[str] = []
    try:
        with services.sessions() as session:
            applied = frozenset(row[0] for row in session.execute(text("SELECT version_num FROM alembic_version")))
        checks["database"] = "ok"
        checks["schema"] = "current" if applied == code_heads() else "not current"
        if applied != code_heads():
            reasons.append(f"schema at {','.join(sorted(applied)) or 'nothing'}, this code expects "
                           f"{','.join(sorted(code_heads()))}")
    except Exception as exc:  # readiness reports, it does not raise
        checks["database"] = type(exc).__name__
        reasons.append(f"database unreachable ({type(exc).__name__})")
    background = services.background
    if background is None:
        reasons.append("background not started")
    else:
        checks["role"] = background.role.value
        checks["scheduler"] = background.scheduler_role
        checks["delivery_worker"] = "running" if background.worker is not None and background.worker.alive() \
            else "not run here" if background.worker is None else "stopped"
        reasons.extend(background.problems())
    return Readiness(not reasons, reasons, checks)
