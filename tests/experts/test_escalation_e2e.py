"""Escalation with a controlled clock: the persistent answer-check job, silence, and a post that counts.

The scheduler of the running bot stores the job; the test then runs the job's function itself, at a time
it chooses, instead of waiting for the wall clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

import swarms.db
from bot.jobs.scheduled import check_expert_answer
from bot.listeners.experts import on_lead
from bot.views.experts import ExpertsAction
from swarms.experts.invites import escalate, escalation_job_id
from tests.experts.test_invite_flows_e2e import channel_texts, join_request, open_swarm, outcome, scheduled, suggested

FORTY_FIVE = {"EXPERTS_ANSWER_MINUTES": "45"}


def run_check_at(app, monkeypatch, outcome_id: int, when) -> None:
    """Run the stored job's function as the scheduler would, with the clock reading `when`."""
    monkeypatch.setattr(swarms.db, "utcnow", lambda: when)
    check_expert_answer(app.services, outcome_id)
    app.settle()


def swarm_with_expert_invited(app, sessions, expert: str):
    """Given an open swarm whose agent invited `expert`: (its channel, the invitation's outcome)."""
    channel, _ = open_swarm(app)
    app.swarm(f"invite <@{expert}>", channel=channel)
    return channel, outcome(sessions, expert)


def stored_run_date(sessions, outcome_id: int) -> float | None:
    with sessions() as session:
        return session.execute(text("SELECT next_run_time FROM apscheduler_jobs WHERE id = :id"),
                               {"id": escalation_job_id(outcome_id)}).scalar()


@pytest.mark.parametrize("invite_app", [FORTY_FIVE], indirect=True)
def test_given_silence_past_the_answer_time_then_the_swarm_is_told_and_the_next_expert_is_brought(
        invite_app, sessions, monkeypatch):
    app, expert = invite_app, invite_app.people.expert
    channel, asked = swarm_with_expert_invited(app, sessions, expert)
    due = asked.invited_at + timedelta(minutes=45)
    assert asked.answer_due_at == due and scheduled(app, asked.id).next_run_time == due
    assert stored_run_date(sessions, asked.id) == pytest.approx(due.timestamp()), "kept in the database"
    port, settings = app.services.experts, app.services.settings.experts
    before = len(app.workspace.messages(channel))

    assert escalate(app.services.sessions, port, asked.id, now=due - timedelta(minutes=1), settings=settings) \
        == "not_due"
    assert len(app.workspace.messages(channel)) == before, "a minute early: nothing happens"

    run_check_at(app, monkeypatch, asked.id, due + timedelta(seconds=1))

    notice = app.workspace.messages(channel)[-1]
    assert f"<@{expert}> has not answered or posted in time" in notice["text"]
    [next_one] = suggested(notice)
    assert next_one != expert
    assert outcome(sessions, expert).state == "ignored"
    run_check_at(app, monkeypatch, asked.id, due + timedelta(hours=2))
    assert channel_texts(app, channel).count("has not answered") == 1, "escalated once only"


@pytest.mark.parametrize("invite_app", [{"EXPERTS_INVITE_MODE": "add"}], indirect=True)
def test_given_an_added_expert_who_posts_in_the_swarm_then_the_check_records_a_contribution_and_stays_quiet(
        invite_app, sessions, monkeypatch):
    app, expert = invite_app, invite_app.people.expert
    channel, added = swarm_with_expert_invited(app, sessions, expert)
    card_ts = app.workspace.messages(channel)[0]["ts"]

    app.driver.user_posts(expert, channel, "E-21 is the DC insulation warning; send me the log", thread_ts=card_ts)
    app.settle()
    run_check_at(app, monkeypatch, added.id, added.answer_due_at + timedelta(minutes=1))

    assert outcome(sessions, expert).state == "contributed"
    assert "has not answered" not in channel_texts(app, channel)


def test_given_an_expert_who_joins_the_channel_by_hand_then_the_check_counts_it_as_joined(
        invite_app, sessions, monkeypatch):
    app, expert = invite_app, invite_app.people.expert
    channel, asked = swarm_with_expert_invited(app, sessions, expert)

    app.driver.user_joins(expert, channel)
    app.settle()
    run_check_at(app, monkeypatch, asked.id, asked.answer_due_at + timedelta(minutes=1))

    assert outcome(sessions, expert).state == "joined"
    assert "has not answered" not in channel_texts(app, channel)


def test_answering_removes_the_stored_check_and_a_lost_one_is_planned_again_at_start(invite_app, sessions):
    app = invite_app
    expert, expert2 = app.people.expert, app.people.expert2
    channel, _ = open_swarm(app)
    app.swarm(f"invite <@{expert}> <@{expert2}>", channel=channel)
    first, second = outcome(sessions, expert), outcome(sessions, expert2)
    assert stored_run_date(sessions, first.id) and stored_run_date(sessions, second.id)

    dm, request = join_request(app, expert)
    app.driver.block_action(ExpertsAction.JOIN, user=expert, channel=dm, message_ts=request["ts"])
    app.settle()
    assert stored_run_date(sessions, first.id) is None, "a join removes the job from the store"

    app.services.scheduler.remove_job(escalation_job_id(second.id))  # the store lost it
    on_lead(app.services, app.services.scheduler)  # what a restart runs
    assert scheduled(app, second.id).next_run_time == second.answer_due_at
    assert scheduled(app, first.id) is None, "an answered invitation is not planned again"
