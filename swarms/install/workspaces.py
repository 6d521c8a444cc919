"""The Slack workspaces this database serves, and whether the app may still reach each one.

Installed by OAuth, one database serves every workspace that installs the app: every table with a
workspace's data is keyed by team (swarms, and through them notes, marks, drafts and invitations; the expert
directory with its tuned weights; the Home's notes rollup; queued Slack work), and each workspace's Slack
calls are made with its own token, so no workspace sees another's swarms, experts or figures. The case
system is the deployment's, shared by all of them. On one SLACK_BOT_TOKEN the database serves that token's
workspace alone: `claim_workspace` refuses a start whose token belongs to another than the one served.

Kept in the database, not in a process: when Slack says the app was uninstalled or its tokens revoked, every
replica sees it and pauses that workspace's Slack work, while the others' goes on; a reinstall (or a new
token in single-workspace mode) makes it active again. The first workspace to claim the database is given
the rows written before they were keyed by team (or seeded under no workspace).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from swarms.db import Base, UTCDateTime
from swarms.experts.directory import adopt_unkeyed
from swarms.models import Swarm, SwarmMode
from swarms.stats.rollup import adopt_note_days
from swarms.upsert import upsert


class WorkspaceAccess(enum.StrEnum):
    ACTIVE = "active"
    UNINSTALLED = "uninstalled"  # app_uninstalled
    TOKENS_REVOKED = "tokens_revoked"  # the bot token revoked (tokens_revoked)


class SlackWorkspace(Base):
    """A workspace the app is (or was) installed in."""

    __tablename__ = "slack_workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_name: Mapped[str] = mapped_column(String(200), default="")
    access: Mapped[str] = mapped_column(String(20), default=WorkspaceAccess.ACTIVE)
    access_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where `/swarm <case>` opens a swarm here (a SwarmMode); None: the deployment's SWARM_MODE.
    swarm_mode: Mapped[str | None] = mapped_column(String(10), nullable=True)
    swarm_mode_set_by: Mapped[str | None] = mapped_column(String(32), nullable=True)  # '' from the command line
    swarm_mode_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkspaceNotServed(Exception):
    """On one SLACK_BOT_TOKEN: the database serves another workspace, which this token cannot act in (a wrong
    DATABASE_URL or token)."""

    def __init__(self, team_id: str, owner: SlackWorkspaceView) -> None:
        super().__init__(f"workspace {team_id} cannot be served by this database: it holds the data of "
                         f"{owner.team_name or owner.team_id} ({owner.team_id})")
        self.team_id = team_id
        self.owner = owner


class WorkspaceNotChosen(Exception):
    """A command about one workspace's data named one the database does not serve (none, before any is), or
    named none while it serves several, or none yet when the command needs one."""

    def __init__(self, served: list[SlackWorkspaceView], named: str | None = None) -> None:
        choices = ", ".join(f"{w.team_id} ({w.team_name})" if w.team_name else w.team_id for w in served)
        if not served:
            either = f", so not {named}" if named is not None else ""
            super().__init__(f"this database serves no workspace yet{either}")
        elif named is None:
            super().__init__(f"this database serves {len(served)} workspaces: name one with --team ({choices})")
        else:
            super().__init__(f"this database does not serve workspace {named}: name one with --team ({choices})")
        self.served = served


@dataclass(frozen=True)
class SlackWorkspaceView:
    team_id: str
    team_name: str
    access: WorkspaceAccess
    access_changed_at: datetime


@dataclass(frozen=True)
class WorkspaceSwarmMode:
    """Where `/swarm <case>` opens a swarm in a workspace, and whether the workspace chose it (`set_by`, `set_at`)
    or follows the deployment's SWARM_MODE (`chosen` False)."""

    mode: SwarmMode
    chosen: bool
    set_by: str = ""  # a Slack user id; '' when set with `case-swarm workspace mode`
    set_at: datetime | None = None


def claim_workspace(session: Session, team_id: str, team_name: str, *, now: datetime, alone: bool) -> None:
    """The app is installed (or reinstalled) in `team_id`: the database serves it, and its access is active.

    `alone`: single-workspace mode (one SLACK_BOT_TOKEN, which acts in its own workspace only); raises
    WorkspaceNotServed when the database already serves another. Installed by OAuth, it serves several."""
    if alone:
        owner = session.scalars(select(SlackWorkspace).where(SlackWorkspace.team_id != team_id).limit(1)).first()
        if owner is not None:
            raise WorkspaceNotServed(team_id, _view(owner))
    values = {"team_id": team_id, "access": WorkspaceAccess.ACTIVE, "access_changed_at": now}
    if team_name:
        values["team_name"] = team_name
    upsert(session, SlackWorkspace.__table__, values, key=["team_id"])
    # Swarms, experts and tuned weights from before they were keyed by team (or seeded or imported without
    # one) are this workspace's, and so are the swarms' notes' rolled-up days.
    session.execute(update(Swarm).where(Swarm.team_id == "").values(team_id=team_id))
    adopt_unkeyed(session, team_id)
    adopt_note_days(session, team_id)


def record_access_lost(session: Session, team_id: str, access: WorkspaceAccess, *, now: datetime) -> bool:
    """Slack said the app can no longer act in `team_id` (uninstalled, or its bot token revoked).

    False for a workspace this database does not serve (the app never finished installing there): nothing
    changes."""
    changed = session.execute(update(SlackWorkspace).where(SlackWorkspace.team_id == team_id)
                              .values(access=access, access_changed_at=now))
    return bool(changed.rowcount)


def workspaces_without_access(session: Session) -> list[SlackWorkspaceView]:
    """The workspaces the app can no longer reach: their scheduled Slack work waits for a reinstall."""
    rows = session.scalars(select(SlackWorkspace).where(SlackWorkspace.access != WorkspaceAccess.ACTIVE))
    return [_view(row) for row in rows]


def all_workspaces(session: Session) -> list[SlackWorkspaceView]:
    return [_view(row) for row in session.scalars(select(SlackWorkspace).order_by(SlackWorkspace.team_id))]


def chosen_workspace(session: Session, named: str | None, *, needs_one: bool = False) -> str:
    """The workspace a command works on: the one named, which must be one served, else the only one served.

    While none is, '' (a token's first start, or the first install, adopts what was written under ''), unless
    the command `needs_one`. A team named before any is served is refused too: it may be a typo, and work kept
    under it would be no workspace's (or, recorded as a workspace, stop the token's start)."""
    served = all_workspaces(session)
    if named is not None:
        if named not in {w.team_id for w in served}:
            raise WorkspaceNotChosen(served, named)
        return named
    if len(served) > 1 or (needs_one and not served):
        raise WorkspaceNotChosen(served)
    return served[0].team_id if served else ""


def swarm_mode_of(session: Session, team_id: str, default: str) -> WorkspaceSwarmMode:
    """The workspace's own swarm mode, else `default` (the deployment's SWARM_MODE)."""
    row = session.get(SlackWorkspace, team_id)
    if row is None or row.swarm_mode is None:
        return WorkspaceSwarmMode(SwarmMode(default), chosen=False)
    return WorkspaceSwarmMode(SwarmMode(row.swarm_mode), chosen=True, set_by=row.swarm_mode_set_by or "",
                              set_at=row.swarm_mode_set_at)


def set_swarm_mode(session: Session, team_id: str, mode: SwarmMode | None, *, set_by: str, now: datetime) -> None:
    """Choose where swarms open in the workspace from now on; None: follow the deployment's SWARM_MODE again.

    A live swarm stays where it is. A workspace not recorded yet (served before workspaces were recorded) is
    recorded, active, so its choice is kept."""
    values = {"swarm_mode": mode.value if mode is not None else None,
              "swarm_mode_set_by": set_by if mode is not None else None,
              "swarm_mode_set_at": now if mode is not None else None}
    changed = session.execute(update(SlackWorkspace).where(SlackWorkspace.team_id == team_id).values(**values))
    if not changed.rowcount:
        upsert(session, SlackWorkspace.__table__, {"team_id": team_id, "access": WorkspaceAccess.ACTIVE,
                                                   "access_changed_at": now, **values}, key=["team_id"])


def team_of_swarm(session: Session, swarm_id: int) -> str | None:
    """The workspace a swarm is in (None: no such swarm), for work that names only the swarm."""
    return session.scalar(select(Swarm.team_id).where(Swarm.id == swarm_id))


def workspace(session: Session, team_id: str) -> SlackWorkspaceView | None:
    row = session.get(SlackWorkspace, team_id)
    return _view(row) if row is not None else None


def _view(row: SlackWorkspace) -> SlackWorkspaceView:
    return SlackWorkspaceView(row.team_id, row.team_name, WorkspaceAccess(row.access), row.access_changed_at)
