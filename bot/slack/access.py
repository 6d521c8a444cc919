"""Which workspaces the app may act in now: one it lost (uninstalled, its token revoked) has its Slack work wait
for a reinstall, while the others' goes on.

Read from the database (`slack_workspaces`) each time, so every replica pauses and resumes a workspace
together; a pause and a resume are each logged once per process.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from swarms.install.workspaces import WorkspaceAccess, all_workspaces

log = logging.getLogger(__name__)


class SlackAccessGate:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions
        self._paused: frozenset[str] = frozenset()
        self._active: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def paused(self) -> frozenset[str]:
        """The workspaces whose Slack work waits (the last answer while the database cannot be read)."""
        self._read()
        return self._paused

    def open_for(self, team_id: str) -> bool:
        return team_id not in self.paused()

    def active_teams(self) -> tuple[str, ...]:
        """The workspaces served and reachable: a job that acts for every workspace acts for these."""
        self._read()
        return self._active

    def _read(self) -> None:
        try:
            with self.sessions() as session:
                served = all_workspaces(session)
        except SQLAlchemyError:  # the leadership check reports an unreachable database; keep the last answer
            return
        paused = frozenset(w.team_id for w in served if w.access is not WorkspaceAccess.ACTIVE)
        with self._lock:
            for team_id in sorted(paused - self._paused):
                log.warning("Slack work of workspace %s paused: the app has no access there any more", team_id)
            for team_id in sorted(self._paused - paused):
                log.info("Slack work of workspace %s resumed: access is back", team_id)
            self._paused = paused
            self._active = tuple(w.team_id for w in served if w.access is WorkspaceAccess.ACTIVE)
