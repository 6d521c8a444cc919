"""Against a Slack that enforces its tiers, bursts (openings, Home publishes, closings and archives) queue
instead of failing, and nobody sleeps."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.demo.standin_run import start_standin_run
from bot.views.home import HomeAction
from slack_standin import RateLimits
from swarms.jobs.claimed_work import ClaimedWork, WorkState
from swarms.models import Case, Swarm, SwarmStatus
from swarms.settings import Settings

CASES = [f"{3000000 + n:08d}" for n in range(12)]  # tier 2 lets 10 through at once, then one every 3 s


@pytest.fixture
def limited_app(sessions):
    with sessions.begin() as session:
        session.add_all(Case(number=n, subject=f"Fault {n}", status="New") for n in CASES)
    # Twelve look-alike cases would each be offered the others first (SWARM_OFFER_EXISTING): straight to opening.
    settings = Settings.from_env({"CASE_URL_TEMPLATE": "https://cases.example/{number}",
                                  "SWARM_OFFER_EXISTING": "false"}, needs_slack=False)
    run = start_standin_run(sessions, settings=settings, rate_limits=RateLimits())
    yield run
    run.stop()


def test_a_burst_of_openings_beyond_tier_2_queues_tells_the_agents_when_and_opens_every_swarm_once(limited_app,
                                                                                                   sessions):
    ws, driver = limited_app.workspace, limited_app.driver
    agents = [ws.add_user(f"agent{n}", locale="en-US") for n in range(len(CASES))]
    results = [driver.command("/swarm", number, user=agent, channel=ws.general_id)
               for number, agent in zip(CASES, agents, strict=True)]
    assert all(r.status == 200 and r.acked_in_time for r in results)
    limited_app.settle(timeout=30)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Swarm).where(Swarm.status == SwarmStatus.OPEN)) == 12
        assert session.scalar(select(func.count()).select_from(ClaimedWork)
                              .where(ClaimedWork.state == WorkState.FAILED)) == 0
    channels = [c for c in ws.channels() if c.name.startswith("swarm-")]
    assert len(channels) == 12 and len({c.name for c in channels}) == 12
    held_back = [[r["payload"]["text"] for r in limited_app.standin.responses(agent)] for agent in agents[10:]]
    assert any("opens in about" in text for texts in held_back for text in texts), held_back  # told roughly when
    assert all(any("<#" in text for text in texts) for texts in held_back), "and then the channel"
    # Our pace keeps within the tier (a 429 from jitter on a loaded machine is put back, not failed).
    refused = limited_app.standin.rate_limited("conversations.create")
    assert len(refused) <= 1
    assert len(limited_app.standin.calls("conversations.create")) == 12 + len(refused)  # a refused call counts too
    assert limited_app.standin.calls("conversations.list") == [] and limited_app.standin.calls("pins.add") == []


def test_period_picks_while_slack_holds_the_home_back_publish_only_the_last_one(limited_app):
    ws, driver = limited_app.workspace, limited_app.driver
    agent = ws.add_user("agent", locale="en-US")
    driver.user_opens_home(agent)
    limited_app.settle()
    view_id = ws.home_view(agent)["id"]
    limited_app.services.slack_queue.pacer.hold(ws.team_id, "views.publish", "", 1.5)  # a 429 came for another Home
    for days in ("7", "30", "90"):
        result = driver.block_action(HomeAction.PERIOD, user=agent, view_id=view_id,
                                     action={"type": "static_select", "selected_option": {"value": days}})
        assert result.acked_in_time  # their lazy steps run at once, queueing in any order: Slack's action_ts decides
    limited_app.settle()
    assert len(limited_app.standin.calls("views.publish")) == 2, "the first Home, then only the last pick"
    assert "last 90 days" in str(ws.home_view(agent)["blocks"])
    assert limited_app.standin.rate_limited() == []


@pytest.fixture
def closing_app(sessions):
    with sessions.begin() as session:
        session.add_all(Case(number=n, subject=f"Fault {n}", status="New") for n in CASES)
    settings = Settings.from_env({"CASE_URL_TEMPLATE": "https://cases.example/{number}",
                                  "SWARM_OFFER_EXISTING": "false", "SWARM_ARCHIVE_DAYS": "0.00005"},  # 4.3 s
                                 needs_slack=False)
    run = start_standin_run(sessions, settings=settings, rate_limits=RateLimits())
    yield run
    run.stop()


def test_a_floor_closing_beyond_tier_2_gets_every_card_closed_and_every_channel_archived_once(closing_app,
                                                                                              sessions):
    ws, driver = closing_app.workspace, closing_app.driver
    agents = [ws.add_user(f"agent{n}", locale="en-US") for n in range(len(CASES))]
    for number, agent in zip(CASES, agents, strict=True):
        driver.command("/swarm", number, user=agent, channel=ws.general_id)
    closing_app.settle(timeout=30)
    with sessions() as session:
        channel_of = dict(session.execute(select(Swarm.case_number, Swarm.channel_id)).all())
    for number, agent in zip(CASES, agents, strict=True):
        assert driver.command("/swarm", "close Firmware 3.2.1", user=agent, channel=channel_of[number]).acked_in_time
    closing_app.settle(timeout=60)
    with sessions() as session:
        statuses = set(session.scalars(select(Swarm.status)))
        assert statuses == {SwarmStatus.ARCHIVED}
        assert session.scalar(select(func.count()).select_from(ClaimedWork)
                              .where(ClaimedWork.state == WorkState.FAILED)) == 0
    assert all(ws.channel(c).is_archived for c in channel_of.values())
    assert len(closing_app.standin.calls("conversations.archive")) == 12, "once each"
    assert len(closing_app.standin.calls("chat.update")) == 12, "each card closed"
    assert len(closing_app.standin.rate_limited("conversations.archive")) <= 1  # jitter on a loaded machine
