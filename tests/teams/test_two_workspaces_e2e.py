"""Two workspaces installed by OAuth in one case-swarm, end to end through the stand-in: each opens a swarm on
the same case of the shared case system, has its own experts, writes its notes, looks at its Home and gets
its digest, and nothing of one reaches the other; every Slack call about a workspace (queued or not) is made
with that workspace's own token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.demo.standin_run import start_standin_run
from bot.listeners.note_sync import poll_and_post
from bot.slack.managers import team_manager_ids
from bot.stats.reports import send_digest
from slack_standin import OAuthApp
from swarms.case_systems.local import set_case_field
from swarms.db import utcnow
from swarms.experts.directory import import_directory
from swarms.models import Case, Note, Swarm
from swarms.stats.digest import run_weekly_digest
from tests.experts.conftest import profile

CASE = "00002001"
ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"
ACME_AGENT, ACME_EXPERT, ACME_MANAGER = "U0ACMEAGT1", "U0ACMEEXP1", "U0ACMEMGR1"
GLX_AGENT, GLX_EXPERT, GLX_MANAGER = "U0GLXAGT01", "U0GLXEXP01", "U0GLXMGR01"


@pytest.fixture
def two_workspaces(sessions):
    """Acme and Globex, each with an agent, an expert and a manager, both having installed the app by OAuth;
    the managers are named once for the deployment (MANAGER_USER_IDS), each a person of their workspace."""
    run = start_standin_run(sessions, oauth=OAuthApp(), env={"MANAGER_USER_IDS": f"{ACME_MANAGER},{GLX_MANAGER}"})
    acme = run.standin.add_workspace(ACME, "Acme Support")
    acme.add_user("ana", id=ACME_AGENT, real_name="Ana Acme", locale="en-US")
    acme.add_user("eli", id=ACME_EXPERT, real_name="Eli Acme", locale="en-US")
    acme.add_user("mia", id=ACME_MANAGER, real_name="Mia Acme", locale="en-US")
    globex = run.standin.add_workspace(GLOBEX, "Globex Support")
    globex.add_user("gil", id=GLX_AGENT, real_name="Gil Globex", locale="ko-KR")
    globex.add_user("gus", id=GLX_EXPERT, real_name="Gus Globex", locale="ko-KR")
    globex.add_user("gwen", id=GLX_MANAGER, real_name="Gwen Globex", locale="ko-KR")
    for workspace, admin in ((acme, ACME_AGENT), (globex, GLX_AGENT)):
        assert run.install_in(workspace, admin).status == 200
    with sessions.begin() as session:
        session.add(Case(number=CASE, subject="Inverter shows E-21 after firmware update", status="New",
                         priority="High", product="SolarMax 5000"))
        import_directory(session, ACME, [profile(ACME_EXPERT, "Eli Acme", [("inverter firmware", 5)],
                                                 ["SolarMax 5000"])], now=utcnow())
        import_directory(session, GLOBEX, [profile(GLX_EXPERT, "Gus Globex", [("inverter firmware", 5)],
                                                   ["SolarMax 5000"])], now=utcnow())
    yield run, acme, globex
    run.stop()


def _driver(run, workspace):
    return run.standin.driver(run.server.events_url, workspace=workspace)


def _swarm_of(sessions, team_id: str) -> Swarm:
    with sessions() as session:
        return session.scalars(select(Swarm).where(Swarm.team_id == team_id)).one()


def _said(workspace, channel_id: str) -> str:
    """Everything in a channel, messages and thread replies, as one text."""
    said = []
    for message in workspace.messages(channel_id):
        said.append(f"{message.get('text', '')} {message.get('blocks', '')}")
        said += [f"{r.get('text', '')} {r.get('blocks', '')}" for r in workspace.replies(channel_id, message["ts"])]
    return "\n".join(said)


def test_two_workspaces_swarm_on_one_case_and_neither_sees_the_others_swarm_experts_notes_home_or_digest(
        two_workspaces, sessions):
    run, acme, globex = two_workspaces
    acme_driver, globex_driver = _driver(run, acme), _driver(run, globex)

    # Each opens a swarm on the same case number of the shared case system.
    acme_driver.command("/swarm", CASE, user=ACME_AGENT, channel=acme.general_id)
    globex_driver.command("/swarm", CASE, user=GLX_AGENT, channel=globex.general_id)
    run.settle()
    acme_swarm, globex_swarm = _swarm_of(sessions, ACME), _swarm_of(sessions, GLOBEX)
    assert acme_swarm.id != globex_swarm.id and acme_swarm.case_number == globex_swarm.case_number == CASE
    assert acme.channel(acme_swarm.channel_id) is not None and globex.channel(acme_swarm.channel_id) is None
    assert globex.channel(globex_swarm.channel_id) is not None and acme.channel(globex_swarm.channel_id) is None

    # Experts: each swarm is offered its own workspace's directory only.
    acme_said, globex_said = _said(acme, acme_swarm.channel_id), _said(globex, globex_swarm.channel_id)
    assert ACME_EXPERT in acme_said and GLX_EXPERT not in acme_said
    assert GLX_EXPERT in globex_said and ACME_EXPERT not in globex_said

    # Notes: each thread's reply is a note of its own workspace's swarm.
    acme_driver.user_posts(ACME_AGENT, acme_swarm.channel_id, "Acme: rolled back to 2.2.9",
                           thread_ts=acme_swarm.card_ts)
    globex_driver.user_posts(GLX_AGENT, globex_swarm.channel_id, "Globex: 펌웨어 2.3.1로 해결",
                             thread_ts=globex_swarm.card_ts)
    run.settle()
    with sessions() as session:
        notes = {n.swarm_id: n.body for n in session.scalars(select(Note))}
    assert set(notes) == {acme_swarm.id, globex_swarm.id}
    assert "Acme:" in notes[acme_swarm.id] and "Globex:" in notes[globex_swarm.id]

    # A change in the shared case system reaches both swarms, each queued in its own workspace.
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Working", author="Case desk")
    assert poll_and_post(run.services) == 2
    run.settle()
    assert "*New* → *Working*" in _said(acme, acme_swarm.channel_id)
    assert "*New* → *Working*" in _said(globex, globex_swarm.channel_id)  # in Korean there

    # Home: each manager sees their own workspace's swarm, never the other's.
    acme_driver.user_opens_home(ACME_MANAGER)
    globex_driver.user_opens_home(GLX_MANAGER)
    run.settle()
    acme_home, globex_home = str(acme.home_view(ACME_MANAGER)), str(globex.home_view(GLX_MANAGER))
    assert acme_swarm.channel_id in acme_home and globex_swarm.channel_id not in acme_home
    assert globex_swarm.channel_id in globex_home and acme_swarm.channel_id not in globex_home
    assert globex.home_view(ACME_MANAGER) is None and acme.home_view(GLX_MANAGER) is None

    # The weekly digest (of the week these swarms were in): each workspace's figures to its own managers.
    next_week = utcnow() + timedelta(days=7)
    for team_id in (ACME, GLOBEX):
        run_weekly_digest(sessions, team_id, team_manager_ids(run.services, team_id),
                          lambda user_id, digest, team_id=team_id: send_digest(run.services, team_id, user_id, digest),
                          now=next_week)
    run.settle()
    acme_dm, globex_dm = acme.im_channel(ACME_MANAGER), globex.im_channel(GLX_MANAGER)
    assert acme.im_channel(GLX_MANAGER) is None and globex.im_channel(ACME_MANAGER) is None
    [acme_digest], [globex_digest] = acme.messages(acme_dm), globex.messages(globex_dm)
    assert "1 swarms opened" in acme_digest["text"] and "열린 스웜 1," in globex_digest["text"]  # one each, not two
    assert ACME_AGENT in str(acme_digest) and GLX_AGENT not in str(acme_digest)
    assert GLX_AGENT in str(globex_digest) and ACME_AGENT not in str(globex_digest)

    # Every call about a workspace's swarm channel, Home or people was made with that workspace's own token.
    owner = {acme_swarm.channel_id: ACME, globex_swarm.channel_id: GLOBEX, acme_dm: ACME, globex_dm: GLOBEX}
    people = {ACME_AGENT: ACME, ACME_EXPERT: ACME, ACME_MANAGER: ACME, GLX_AGENT: GLOBEX, GLX_EXPERT: GLOBEX,
              GLX_MANAGER: GLOBEX}
    calls = run.standin.calls_by_workspace()
    for team_id, method, args in calls:
        channel = args.get("channel") or args.get("channel_id")
        if channel in owner:
            assert owner[channel] == team_id, (method, args)
        # (users.info may ask a workspace about a manager of another: the digest's "is this one of yours?")
        if method in ("views.publish", "conversations.open") and args.get("user_id", args.get("users")) in people:
            assert people[args.get("user_id", args.get("users"))] == team_id, (method, args)
    # The queued posts (the case change) and Home publishes went out in both, each with its own token.
    swarm_channels = (acme_swarm.channel_id, globex_swarm.channel_id)
    queued = {(team_id, method) for team_id, method, args in calls
              if method == "views.publish" or (method == "chat.postMessage" and args.get("channel") in swarm_channels)}
    assert {(ACME, "chat.postMessage"), (GLOBEX, "chat.postMessage"),
            (ACME, "views.publish"), (GLOBEX, "views.publish")} <= queued
