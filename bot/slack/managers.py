"""Who is a manager in a workspace: the settings' managers and admins, and MANAGER_USERGROUP_ID's members
there (asked of Slack, cached briefly). The Home's team figures, `/swarm settings` and the digest ask here."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError

from bot.services import AppServices
from swarms.install.workspaces import all_workspaces

log = logging.getLogger(__name__)
GROUP_CACHE_SECONDS = 300
# A user id is one workspace's person for good; only on Enterprise Grid may someone join or leave a workspace,
# seen within a day (as long as the people cache keeps a users.info answer).
WORKSPACE_CACHE_SECONDS = 24 * 3600


def is_manager(services: AppServices, team_id: str, user_id: str) -> bool:
    """Settings' managers and admins, or a member of MANAGER_USERGROUP_ID in their workspace (asked of Slack,
    cached briefly)."""
    return services.permissions.is_manager(user_id) or user_id in manager_group(services, team_id)


def manager_group(services: AppServices, team_id: str) -> frozenset[str]:
    """MANAGER_USERGROUP_ID's members in workspace `team_id` (a user group is a workspace's: elsewhere, none)."""
    group = services.settings.manager_usergroup_id
    if not group:
        return frozenset()
    cached = services.caches.manager_group.get(team_id)
    if cached and time.monotonic() - cached[0] < GROUP_CACHE_SECONDS:
        return cached[1]
    try:
        members = frozenset(services.slack_for(team_id).usergroups_users_list(usergroup=group).get("users") or [])
    except SlackApiError as exc:  # fail closed: nobody gets team figures through a group we cannot read
        log.warning("usergroups.users.list %s failed: %s", group, exc.response.get("error"))
        return frozenset()
    services.caches.manager_group[team_id] = (time.monotonic(), members)
    return members


def manager_ids(services: AppServices, team_id: str) -> set[str]:
    """Who gets the digest in workspace `team_id`: the managers in settings and the manager user group (not
    every admin)."""
    return set(services.settings.manager_user_ids) | set(manager_group(services, team_id))


def team_manager_ids(services: AppServices, team_id: str) -> set[str]:
    """The digest's recipients in `team_id`: the managers in settings who are people of that workspace (asked
    of Slack when the database serves more than one, cached a day), and the manager user group."""
    managers = manager_ids(services, team_id)
    with services.sessions() as session:
        served = all_workspaces(session)
    if len(served) <= 1:
        return managers
    return {user_id for user_id in managers if _in_workspace(services, team_id, user_id)}


def _in_workspace(services: AppServices, team_id: str, user_id: str) -> bool:
    """Whether `user_id` is a person of `team_id`; False, and asked again next time, while Slack cannot say."""
    cached = services.caches.in_workspace.get((team_id, user_id))
    if cached and time.monotonic() - cached[0] < WORKSPACE_CACHE_SECONDS:
        return cached[1]
    try:
        user = services.slack_for(team_id).users_info(user=user_id).get("user") or {}
    except SlackApiError as exc:
        if exc.response.get("error") != "user_not_found":  # fail closed: no digest to someone we cannot place
            log.warning("users.info %s in %s failed: %s", user_id, team_id, exc.response.get("error"))
            return False
        user = {}  # someone of another workspace: an answer, kept like any other
    teams = (user.get("enterprise_user") or {}).get("teams") or []
    answer = user.get("team_id") == team_id or team_id in teams
    services.caches.in_workspace[(team_id, user_id)] = (time.monotonic(), answer)
    return answer
