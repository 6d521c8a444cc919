"""Everything a listener or a job may call, built once per app by `bot.app.create_app`: no globals, so a test
builds a fresh set. Every part is a typed field; features add subcommands, hooks and routes at registration,
and nothing they add depends on the order in which they register."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy.orm import sessionmaker

from bot.serving.executor import TrackingExecutor
from bot.slack.clients import SlackClients
from bot.slack.people import People
from bot.slack.work_queue import SlackQueue
from bot.slack.workspace import SlackSwarmWorkspace
from swarms.case_systems.base import CaseSystem
from swarms.experts.invites import ExpertsPort
from swarms.jobs.scheduling import SafeScheduler
from swarms.knowledge.flows import KnowledgePort
from swarms.note_sync.capture import SwarmRef
from swarms.note_sync.case_changes import ChangeNotice
from swarms.note_sync.delivery_worker import DeliveryWorker
from swarms.opening.existing_work import WorkCache
from swarms.opening.lifecycle import OpenedSwarm
from swarms.permissions import Permissions
from swarms.settings import Settings
from swarms.stats.swarming_outcomes import OutcomesKeeper

if TYPE_CHECKING:
    from bot.install.oauth import EncryptedInstallationStore  # only when installing by OAuth
    from bot.jobs.background import Background
    from bot.listeners.commands import SubcommandRegistry
    from knowledge_export.exporters import Exporter

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


@dataclass
class Hooks:
    """What features do when something happens elsewhere. Each hook stands alone: they run in any order,
    and one failing (logged) does not stop the others."""

    after_open: list[Callable[[AppServices, OpenedSwarm], None]] = field(default_factory=list)
    # Run by the process that takes the scheduler lease, with that scheduler: plan jobs, heal what a restart left.
    on_lead: list[Callable[[AppServices, SafeScheduler], None]] = field(default_factory=list)
    on_case_change: list[Callable[[AppServices, ChangeNotice], None]] = field(default_factory=list)
    after_note_change: list[Callable[[AppServices, int], None]] = field(default_factory=list)


@dataclass
class SlackCaches:
    """What the bot remembers of Slack between requests, to spare calls on every event."""

    # (channel, "") for a swarm channel, (channel, thread_ts) for a thread swarm → (swarm, expires at)
    swarm_by_channel: dict[tuple[str, str], tuple[SwarmRef, float]] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)
    manager_group: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)  # team → (read at, members)
    # (team, user) → (asked at, whether users.info in that team says the user is one of its people)
    in_workspace: dict[tuple[str, str], tuple[float, bool]] = field(default_factory=dict)
    bot_identity: dict[str, dict] = field(default_factory=dict)  # team → auth.test's answer there



def _subcommands() -> SubcommandRegistry:
    from bot.listeners.commands import SubcommandRegistry  # the registry belongs to the command listener

    return SubcommandRegistry()


@dataclass
class AppServices:
    settings: Settings
    sessions: sessionmaker
    slack: SlackClients  # each workspace's Web API client: `slack_for(team_id)`
    cases: CaseSystem
    people: People
    permissions: Permissions
    executor: TrackingExecutor
    slack_queue: SlackQueue  # Slack work that can wait: opening swarms, bookmarks; paced, claimed, persisted
    outcomes: OutcomesKeeper = field(default_factory=OutcomesKeeper)  # swarmed vs not, kept a while
    subcommands: SubcommandRegistry = field(default_factory=_subcommands)  # `/swarm <word>` of each feature
    hooks: Hooks = field(default_factory=Hooks)
    routes: dict[str, WsgiApp] = field(default_factory=dict)  # HTTP paths beside Slack's (the case-system webhook)
    caches: SlackCaches = field(default_factory=SlackCaches)
    existing_work: WorkCache = field(default_factory=WorkCache)  # each workspace's work, indexed for the offer
    # The scheduler, the outbox worker and the lease: set by bot.jobs.background.start_background, None before.
    background: Background | None = None
    # Installed by OAuth (SLACK_CLIENT_ID): the workspaces' encrypted tokens.
    installation_store: EncryptedInstallationStore | None = None
    # The flows' outside world, made of Slack calls (bot.experts.gateway); built by create_app from these services.
    experts: ExpertsPort = field(init=False)
    knowledge: KnowledgePort = field(init=False)  # closing, drafting, archiving, reopening (bot.knowledge.gateway)

    def slack_for(self, team_id: str) -> WebClient:
        """The client that acts in workspace `team_id` (on one SLACK_BOT_TOKEN: that token's, whatever the team)."""
        return self.slack.for_team(team_id)

    def workspace_for(self, team_id: str) -> SlackSwarmWorkspace:
        """The domain's SwarmWorkspace port in workspace `team_id`."""
        return SlackSwarmWorkspace(self.slack_for(team_id), ascii_channel_names=self.settings.channel_names_ascii)

    @property
    def scheduler(self) -> SafeScheduler | None:
        return self.background.scheduler if self.background is not None else None

    @property
    def worker(self) -> DeliveryWorker | None:
        """The outbox worker, where this process runs one."""
        return self.background.worker if self.background is not None else None

    @functools.cached_property
    def exporter(self) -> Exporter:
        """The exporter KNOWLEDGE_EXPORT names, built on first use; a failure is not kept, the next use tries again."""
        from swarms.knowledge.exporter_choice import make_exporter  # only a process that drafts or publishes needs it

        return make_exporter(self.settings)
