"""Asking experts in, their answers, and escalation with a controlled clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.i18n.catalog import t
from swarms.errors import NotAllowed
from swarms.experts.errors import AlreadyAnswered, NotYourInvite, SwarmNotLive
from swarms.experts.finder import member_ids, past_help
from swarms.experts.invites import (
    accept_invite,
    check_may_invite,
    decline_invite,
    escalate,
    invite_experts,
    pending_checks,
    suggest,
)
from swarms.experts.models import Expert, SuggestionOutcome
from swarms.models import Note, Swarm, SwarmStatus
from tests.experts.conftest import NOW, TEAM, make_swarm


def _outcomes(sessions, swarm_id):
    with sessions() as session:
        return {o.user_id: o for o in session.scalars(select(SuggestionOutcome).where(SuggestionOutcome.swarm_id == swarm_id))}


def test_ask_mode_dms_each_expert_with_reasons_and_plans_the_answer_check(sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    ranking, _ = suggest(sessions, port, TEAM, swarm_id, now=NOW, settings=expert_settings)
    result = invite_experts(sessions, port, TEAM, swarm_id, [ranking.suggestions[0].user_id, "U0NET"], invited_by="U0AGENT",
                            now=NOW, settings=expert_settings)
    assert result.asked == ("U0FW", "U0NET") and not port.adds, "ask mode adds nobody before they say yes"
    assert port.dms[0].reasons and port.dms[0].swarm.case_number == "00001001"
    outcomes = _outcomes(sessions, swarm_id)
    assert outcomes["U0FW"].state == "invited" and outcomes["U0FW"].dm_ts
    assert port.planned[outcomes["U0FW"].id] == NOW + timedelta(minutes=30)


def test_inviting_skips_members_and_pending_people_and_records_who_cannot_be_asked(sessions, directory, port,
                                                                                  expert_settings):
    swarm_id = make_swarm(sessions)
    port.gone["U0BAT"] = "deactivated"
    port.dm_refused["U0UI"] = "user_disabled"
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW, settings=expert_settings)
    result = invite_experts(sessions, port, TEAM, swarm_id, ["U0FW", "U0AGENT", "U0BAT", "U0UI"], invited_by="U0AGENT",
                            now=NOW, settings=expert_settings)
    assert set(result.skipped) == {("U0FW", "pending"), ("U0AGENT", "member")}
    assert set(result.failed) == {("U0BAT", "deactivated"), ("U0UI", "user_disabled")}
    outcomes = _outcomes(sessions, swarm_id)
    assert outcomes["U0BAT"].state == outcomes["U0UI"].state == "failed"
    with sessions() as session:
        assert all(h.user_id not in ("U0BAT", "U0UI") for h in past_help(session, TEAM, now=NOW)), \
            "someone we could not reach is not counted against them"


def test_add_mode_puts_everyone_in_with_one_call_and_records_them_as_members(sessions, directory, port,
                                                                           expert_settings):
    swarm_id = make_swarm(sessions)
    port.channel_members.add("U0NET")  # already in the channel: success, not an error
    settings = replace(expert_settings, invite_mode="add")
    result = invite_experts(sessions, port, TEAM, swarm_id, ["U0FW", "U0NET", "U0BAT"], invited_by="U0AGENT", now=NOW,
                            settings=settings)
    assert port.adds == [["U0FW", "U0NET", "U0BAT"]]
    assert set(result.added) == {"U0FW", "U0NET", "U0BAT"} and not port.dms
    with sessions() as session:
        assert {"U0FW", "U0NET", "U0BAT"} <= member_ids(session, swarm_id)
    assert port.notices[-1].kind == "added"
    assert len(port.planned) == 3, "added people still get the no-post check"


def test_only_the_person_asked_may_join_and_joining_cancels_the_check(sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW, settings=expert_settings)
    outcome_id = _outcomes(sessions, swarm_id)["U0FW"].id
    with pytest.raises(NotYourInvite):
        accept_invite(sessions, port, TEAM, outcome_id, "U0MALLORY", now=NOW)
    with pytest.raises(NotYourInvite):
        accept_invite(sessions, port, TEAM, 99999, "U0FW", now=NOW)
    accept_invite(sessions, port, TEAM, outcome_id, "U0FW", now=NOW + timedelta(minutes=3))
    assert port.adds == [["U0FW"]]
    assert outcome_id in port.cancelled and outcome_id not in port.planned
    assert _outcomes(sessions, swarm_id)["U0FW"].state == "joined"
    assert port.notices[-1].kind == "joined"
    with pytest.raises(AlreadyAnswered) as twice:
        accept_invite(sessions, port, TEAM, outcome_id, "U0FW", now=NOW)
    assert twice.value.message_key == "experts.error.already_joined"
    assert "joined" not in t(twice.value.message_key, "ko")  # the answer is named in words, not as a state


def test_a_decline_keeps_its_reason_and_brings_the_next_suggestion(sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW, settings=expert_settings)
    outcome_id = _outcomes(sessions, swarm_id)["U0FW"].id
    decline_invite(sessions, port, TEAM, outcome_id, "U0FW", "on leave until Monday", now=NOW, settings=expert_settings)
    outcome = _outcomes(sessions, swarm_id)["U0FW"]
    assert (outcome.state, outcome.decline_reason) == ("declined", "on leave until Monday")
    notice = port.notices[-1]
    assert notice.kind == "declined" and notice.reason == "on leave until Monday"
    assert notice.next is not None and notice.next.user_id != "U0FW", "the next one is someone else"
    assert outcome_id in port.cancelled
    with pytest.raises(AlreadyAnswered) as twice:
        decline_invite(sessions, port, TEAM, outcome_id, "U0FW", "", now=NOW, settings=expert_settings)
    assert twice.value.message_key == "experts.error.already_declined"


def test_silence_past_the_answer_time_marks_ignored_and_escalates_once(sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW, settings=expert_settings)
    outcome_id = _outcomes(sessions, swarm_id)["U0FW"].id
    assert escalate(sessions, port, outcome_id, now=NOW + timedelta(minutes=29), settings=expert_settings) == "not_due"
    assert not port.notices
    assert escalate(sessions, port, outcome_id, now=NOW + timedelta(minutes=30), settings=expert_settings) == "ignored"
    assert port.notices[-1].kind == "ignored" and port.notices[-1].next is not None
    assert escalate(sessions, port, outcome_id, now=NOW + timedelta(hours=2), settings=expert_settings) == "settled"
    assert len(port.notices) == 1
    with sessions() as session:
        assert any(h.user_id == "U0FW" and h.kind == "ignored" for h in past_help(session, TEAM, now=NOW + timedelta(hours=3)))


def test_a_post_in_the_swarm_counts_as_an_answer(sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW,
                   settings=replace(expert_settings, invite_mode="add"))
    with sessions.begin() as session:
        session.add(Note(swarm_id=swarm_id, channel_id="C1", message_ts="2.1", user_id="U0FW",
                         created_at=NOW + timedelta(minutes=10)))
    outcome_id = _outcomes(sessions, swarm_id)["U0FW"].id
    assert escalate(sessions, port, outcome_id, now=NOW + timedelta(minutes=30), settings=expert_settings) == "contributed"
    assert [n.kind for n in port.notices] == ["added"]


def test_auto_invite_asks_the_top_n_and_a_closed_swarm_stops_everything(sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    ranking, invited = suggest(sessions, port, TEAM, swarm_id, now=NOW, settings=replace(expert_settings, auto_invite_top_n=1),
                               auto_invite=True)
    assert invited is not None and invited.asked == (ranking.suggestions[0].user_id,)
    with sessions() as session:
        assert [oid for oid, _ in pending_checks(session)] == [port.dms[0].outcome_id]
    with sessions.begin() as session:
        session.get(Swarm, swarm_id).status = SwarmStatus.CLOSED
    assert escalate(sessions, port, port.dms[0].outcome_id, now=NOW + timedelta(hours=1),
                    settings=expert_settings) == "swarm_closed"
    with pytest.raises(SwarmNotLive):
        invite_experts(sessions, port, TEAM, swarm_id, ["U0NET"], invited_by="U0AGENT", now=NOW, settings=expert_settings)


def test_inviting_is_for_people_of_the_swarm_from_its_own_channel(sessions, directory, port):
    swarm_id = make_swarm(sessions, channel="CSWARM")
    with sessions() as session:
        assert check_may_invite(session, port, TEAM, swarm_id, "U0AGENT", from_channel="CSWARM", is_admin=False)
        with pytest.raises(NotAllowed):
            check_may_invite(session, port, TEAM, swarm_id, "U0OUTSIDER", from_channel="CSWARM", is_admin=False)
        with pytest.raises(NotAllowed):
            check_may_invite(session, port, TEAM, swarm_id, "U0AGENT", from_channel="COTHER", is_admin=False)
        port.channel_members.add("U0LATECOMER")  # added in Slack by hand: Slack's word counts
        assert check_may_invite(session, port, TEAM, swarm_id, "U0LATECOMER", from_channel="CSWARM", is_admin=False)


# ---------------------------------------------------------------- people who opted out of suggestions


def _opt_out(sessions, user_id):
    """The directory is re-imported with this person opted out, after they were suggested."""
    with sessions.begin() as session:
        session.scalars(select(Expert).where(Expert.user_id == user_id)).one().opted_out = True


def test_a_suggestion_clicked_after_the_expert_opted_out_skips_them_and_still_asks_the_others(
        sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    suggest(sessions, port, TEAM, swarm_id, now=NOW, settings=expert_settings)
    _opt_out(sessions, "U0FW")

    result = invite_experts(sessions, port, TEAM, swarm_id, ["U0FW", "U0NET"], invited_by="U0AGENT", now=NOW,
                            settings=expert_settings)

    assert result.asked == ("U0NET",) and result.skipped == (("U0FW", "opted_out"),)
    assert [r.user_id for r in port.dms] == ["U0NET"], "no DM goes to someone who opted out"
    skipped = _outcomes(sessions, swarm_id)["U0FW"]
    assert (skipped.state, skipped.decline_reason) == ("failed", "opted_out")
    assert skipped.id not in port.planned
    with sessions() as session:
        assert all(h.user_id != "U0FW" for h in past_help(session, TEAM, now=NOW)), "an opt-out is not counted against them"


def test_an_opted_out_expert_who_answered_earlier_keeps_that_answer(sessions, directory, port, expert_settings):
    swarm_id = make_swarm(sessions)
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW, settings=expert_settings)
    decline_invite(sessions, port, TEAM, _outcomes(sessions, swarm_id)["U0FW"].id, "U0FW", "", now=NOW,
                   settings=expert_settings)
    _opt_out(sessions, "U0FW")

    result = invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW,
                            settings=expert_settings)

    assert result.skipped == (("U0FW", "opted_out"),) and len(port.dms) == 1
    assert _outcomes(sessions, swarm_id)["U0FW"].state == "declined"


def test_someone_named_by_hand_is_invited_even_if_opted_out_and_the_result_says_so(sessions, directory, port,
                                                                                     expert_settings):
    swarm_id = make_swarm(sessions)
    _opt_out(sessions, "U0FW")

    result = invite_experts(sessions, port, TEAM, swarm_id, ["U0FW", "U0NET"], invited_by="U0AGENT", now=NOW,
                            settings=expert_settings, by_hand=True)

    assert result.asked == ("U0FW", "U0NET") and result.opted_out == ("U0FW",) and not result.skipped
    assert _outcomes(sessions, swarm_id)["U0FW"].state == "invited"


def test_an_automatic_invite_skips_someone_who_opted_out_meanwhile_and_tells_the_swarm(sessions, directory, port,
                                                                                      expert_settings):
    settings = replace(expert_settings, auto_invite_top_n=1)
    swarm_id = make_swarm(sessions)
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW, settings=settings)
    told = port.announce

    def opt_out_the_next_one(notice):  # they opt out while the swarm is told they are next
        told(notice)
        if notice.next is not None:
            _opt_out(sessions, notice.next.user_id)

    port.announce = opt_out_the_next_one
    escalate(sessions, port, _outcomes(sessions, swarm_id)["U0FW"].id, now=NOW + timedelta(minutes=30),
             settings=settings)

    ignored, skipped = port.notices[-2:]
    assert ignored.kind == "ignored" and ignored.next is not None
    assert (skipped.kind, skipped.user_ids) == ("opted_out", (ignored.next.user_id,))
    assert [r.user_id for r in port.dms] == ["U0FW"], "the opted-out next expert got no DM"
    assert _outcomes(sessions, swarm_id)[ignored.next.user_id].state == "failed"
