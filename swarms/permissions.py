"""Who may do what, from the settings' lists; the domain's flows ask these before they change anything.

Membership of the manager user group (MANAGER_USERGROUP_ID) is a Slack fact, so the Home listener adds it
to `is_manager` at the edge (`bot/listeners/home.py`); nothing here calls Slack.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permissions:
    admins: frozenset[str] = frozenset()
    managers: frozenset[str] = frozenset()
    knowledge_editors: frozenset[str] = frozenset()
    swarm_openers: frozenset[str] = frozenset()  # empty: everyone may open a swarm

    def can_open_swarm(self, user_id: str) -> bool:
        return not self.swarm_openers or user_id in self.swarm_openers or user_id in self.admins

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def is_manager(self, user_id: str) -> bool:
        """A manager by the settings (MANAGER_USER_IDS, or an admin); the Slack user group is the edge's to add."""
        return user_id in self.managers or user_id in self.admins

    def can_publish_knowledge(self, user_id: str, *, swarm_owner: str) -> bool:
        return user_id == swarm_owner or user_id in self.knowledge_editors or user_id in self.admins

    def can_close_swarm(self, user_id: str, *, swarm_owner: str, case_owner_ids: frozenset[str] = frozenset()) -> bool:
        return user_id == swarm_owner or user_id in case_owner_ids or user_id in self.admins
