"""Everything a listener may call, built once per app: no globals, so a test builds a fresh set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import sessionmaker

from bot.executor import TrackingExecutor
from bot.gateway import SlackSwarmWorkspace
from bot.people import People
from bot.slack_queue import SlackQueue
from swarms.case_systems.base import CaseSystem
from swarms.permissions import Permissions
from swarms.settings import Settings
from swarms.stats.swarming_outcomes import OutcomesKeeper


@dataclass
class AppServices:
    settings: Settings
    sessions: sessionmaker
    client: WebClient
    cases: CaseSystem
    people: People
    workspace: SlackSwarmWorkspace
    permissions: Permissions
    executor: TrackingExecutor
    slack_queue: SlackQueue  # Slack work that can wait: opening swarms, bookmarks; paced, claimed, persisted
    outcomes: OutcomesKeeper = field(default_factory=OutcomesKeeper)  # swarmed vs not, kept a while
    # Filled by features as they register: the note-sync worker, the scheduler, the expert finder, ...
    extras: dict[str, Any] = field(default_factory=dict)
