"""The digest's recipients in a database serving two workspaces, through the stand-in: each manager in
settings is asked of Slack (users.info) in a workspace once, and the answer is kept a while, so the digest,
or anything else that asks again, makes no call per manager each time; Slack failing to answer leaves the
manager out (fail closed) and is not kept."""

from __future__ import annotations

from bot.slack import managers
from bot.slack.managers import team_manager_ids
from tests.teams.two_workspaces import ACME, ACME_MANAGER, GLOBEX, GLX_MANAGER


def _asked_whether_in_workspace(run) -> list[str]:
    """The users.info calls made to tell a workspace's people (the people cache asks with include_locale)."""
    run.settle()
    return [args["user"] for _, args in run.standin.calls("users.info") if "include_locale" not in args]


def test_asking_twice_for_a_workspaces_managers_asks_slack_about_each_once(two_workspaces):
    run, _, _, _ = two_workspaces
    before = _asked_whether_in_workspace(run)

    assert team_manager_ids(run.services, ACME) == {ACME_MANAGER}
    assert team_manager_ids(run.services, ACME) == {ACME_MANAGER}

    asked = _asked_whether_in_workspace(run)[len(before):]
    assert sorted(asked) == sorted([ACME_MANAGER, GLX_MANAGER])  # Globex's manager: user_not_found in Acme, kept too


def test_each_workspace_keeps_its_own_answer_about_the_same_manager(two_workspaces):
    run, _, _, _ = two_workspaces
    before = len(_asked_whether_in_workspace(run))

    for _ in range(2):
        assert team_manager_ids(run.services, ACME) == {ACME_MANAGER}
        assert team_manager_ids(run.services, GLOBEX) == {GLX_MANAGER}

    assert len(_asked_whether_in_workspace(run)) == before + 4  # two managers, each asked once in each workspace


def test_when_slack_cannot_answer_nobody_is_a_recipient_and_the_next_call_asks_again(two_workspaces):
    run, _, _, _ = two_workspaces
    before = len(_asked_whether_in_workspace(run))
    run.standin.fail_next("users.info", "fatal_error", times=None)

    assert team_manager_ids(run.services, ACME) == set()

    run.standin.clear_faults()
    assert team_manager_ids(run.services, ACME) == {ACME_MANAGER}
    assert len(_asked_whether_in_workspace(run)) == before + 4


def test_an_answer_older_than_the_cache_is_asked_again(two_workspaces, monkeypatch):
    run, _, _, _ = two_workspaces
    before = len(_asked_whether_in_workspace(run))
    monkeypatch.setattr(managers, "WORKSPACE_CACHE_SECONDS", 0)

    team_manager_ids(run.services, ACME)
    team_manager_ids(run.services, ACME)

    assert len(_asked_whether_in_workspace(run)) == before + 4
