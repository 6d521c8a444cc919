"""Who may do what, from settings. The domain asks; the bot never decides rights itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Permissions:
    admins: frozenset[str] = frozenset()
    managers: frozenset[str] = frozenset()
    knowledge_editors: frozenset[str] = frozenset()
    swarm_openers: frozenset[str] = frozenset()  # empty: everyone may open a swarm
    # Extra manager lookup (a Slack user group), injected by the bot; cached by the caller.
    manager_lookup: Callable[[str], bool] | None = field(default=None, compare=False)

    def can_open_swarm(self, user_id: str) -> bool:
        return not self.swarm_openers or user_id in self.swarm_openers or user_id in self.admins

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def is_manager(self, user_id: str) -> bool:
        if user_id in self.managers or user_id in self.admins:
            return True
        return bool(self.manager_lookup and self.manager_lookup(user_id))

    def can_publish_knowledge(self, user_id: str, *, swarm_owner: str) -> bool:
        return user_id == swarm_owner or user_id in self.knowledge_editors or user_id in self.admins

    def can_close_swarm(self, user_id: str, *, swarm_owner: str, case_owner_ids: frozenset[str] = frozenset()) -> bool:
        return user_id == swarm_owner or user_id in case_owner_ids or user_id in self.admins
