"""The directory in the database: import upsert, Slack freshness, profiles with load, history, outcomes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from expert_finder.models import Skill
from swarms.experts.directory import import_directory, parse_skill, profile_entries, refresh_directory
from swarms.experts.finder import (
    case_query,
    expert_profiles,
    past_help,
    record_suggestions,
    settle_outcomes,
    suggest_for_swarm,
)
from swarms.experts.models import EntrySource, Expert, SuggestionOutcome, SuggestionState
from swarms.experts.settings import ExpertSettings
from swarms.models import Note, Swarm, SwarmMember, SwarmStatus
from tests.experts.conftest import DIRECTORY, NOW, TEAM, make_swarm, profile


def _expert(session, user_id):
    return session.scalar(select(Expert).where(Expert.user_id == user_id)
                          .options(selectinload(Expert.skills), selectinload(Expert.products)))


def test_importing_twice_updates_in_place_and_replaces_only_imported_entries(sessions, directory):
    with sessions.begin() as session:
        expert = _expert(session, "U0FW")
        expert.skills[0].source = EntrySource.IMPORT
        from swarms.experts.models import ExpertSkill
        expert.skills.append(ExpertSkill(name="RS-485 wiring", level=3, source=EntrySource.SLACK))
    changed = profile("U0FW", "Minji Park", [("Inverter Firmware", 4), ("grid codes", 2)], ["SolarMax 6000"],
                      max_concurrent=5)
    with sessions.begin() as session:
        result = import_directory(session, TEAM, [changed, profile("U0NEW", "New Person", [("SCADA", 3)])], now=NOW)
    assert (result.created, result.updated) == (1, 1)
    with sessions() as session:
        expert = _expert(session, "U0FW")
        skills = {(s.name, s.level, s.source) for s in expert.skills}
        assert skills == {("Inverter Firmware", 4, "import"), ("grid codes", 2, "import"),
                          ("RS-485 wiring", 3, "slack")}, "modbus (import) gone, the Slack skill kept"
        assert [p.name for p in expert.products] == ["SolarMax 6000"]
        assert expert.max_concurrent == 5
        assert session.scalar(select(Expert).where(Expert.user_id == "U0NEW")) is not None


def test_profiles_carry_skills_and_load_from_live_swarms_only(sessions, directory):
    live_a = make_swarm(sessions, number="1")
    live_b = make_swarm(sessions, number="2")
    closed = make_swarm(sessions, number="3", status=SwarmStatus.CLOSED)
    with sessions.begin() as session:
        for swarm_id in (live_a, live_b, closed):
            session.add(SwarmMember(swarm_id=swarm_id, user_id="U0FW", joined_at=NOW))
        session.add(SwarmMember(swarm_id=live_a, user_id="U0BAT", joined_at=NOW, left_at=NOW))
        _expert(session, "U0UI").active = False
    with sessions() as session:
        profiles = {p.user_id: p for p in expert_profiles(session, TEAM)}
    assert set(profiles) == {"U0FW", "U0BAT", "U0NET"}, "an inactive expert is never a candidate"
    assert profiles["U0FW"].active_swarms == 2
    assert profiles["U0BAT"].active_swarms == 0, "who left a swarm no longer carries it"
    assert Skill("inverter firmware", 5) in profiles["U0FW"].skills
    assert profiles["U0FW"].hours.timezone == "Asia/Seoul"


def test_history_keeps_the_strongest_part_per_swarm_and_only_counts_notes_of_closed_cases(sessions, directory):
    closed = make_swarm(sessions, number="10", status=SwarmStatus.CLOSED, closed_at=NOW - timedelta(days=3),
                        resolution_summary="reflashed firmware 2.1")
    still_open = make_swarm(sessions, number="11")
    with sessions.begin() as session:
        for swarm_id, ts in ((closed, "1.1"), (still_open, "1.2")):
            session.add(Note(swarm_id=swarm_id, channel_id=f"C{swarm_id}", message_ts=ts, user_id="U0FW",
                             created_at=NOW - timedelta(days=4)))
        session.add(SwarmMember(swarm_id=closed, user_id="U0NET", joined_at=NOW, credited=True))
        session.add(SuggestionOutcome(swarm_id=closed, user_id="U0FW", state=SuggestionState.JOINED,
                                      answered_at=NOW - timedelta(days=5), reasons=[], covers=[]))
        session.add(SuggestionOutcome(swarm_id=closed, user_id="U0BAT", state=SuggestionState.DECLINED,
                                      answered_at=NOW - timedelta(days=5), reasons=[], covers=[]))
    with sessions() as session:
        history = {(h.case_key, h.user_id): h for h in past_help(session, TEAM, now=NOW)}
    assert set(history) == {("10", "U0FW"), ("10", "U0NET"), ("10", "U0BAT")}, "notes of an open case don't count yet"
    assert history[("10", "U0FW")].kind == "contributed", "writing beats joining"
    assert history[("10", "U0NET")].kind == "credited"
    assert history[("10", "U0BAT")].kind == "declined"
    assert "reflashed firmware" in history[("10", "U0FW")].text
    with sessions() as session:
        assert past_help(session, TEAM, now=NOW, exclude_swarm_id=closed) == []


def test_the_case_query_comes_from_the_local_case_and_the_swarm(sessions, directory):
    from swarms.models import Case

    with sessions.begin() as session:
        session.add(Case(number="00001001", subject="Inverter shows E-21 after firmware update",
                         description="Since the FW update the inverter restarts", product="SolarMax 5000",
                         language="ko", extra={}))
    swarm_id = make_swarm(sessions)
    with sessions() as session:
        query = case_query(session, session.get(Swarm, swarm_id))
    assert query.description.startswith("Since the FW update")
    assert (query.product, query.language, query.requester_id) == ("SolarMax 5000", "ko", "U0AGENT")
    assert query.member_ids == {"U0AGENT"}


def test_suggestions_rank_the_matching_expert_first_and_leave_out_members_and_people_asked(sessions, directory):
    swarm_id = make_swarm(sessions)
    with sessions() as session:
        ranking = suggest_for_swarm(session, TEAM, swarm_id, NOW, ExpertSettings().policy())
    assert ranking.suggestions[0].user_id == "U0FW"
    assert "skill_match" in {r.kind for r in ranking.suggestions[0].reasons}
    with sessions.begin() as session:
        record_suggestions(session, swarm_id, ranking.suggestions, now=NOW)
        outcome = session.scalar(select(SuggestionOutcome).where(SuggestionOutcome.user_id == "U0FW"))
        assert (outcome.rank, outcome.state) == (1, "suggested")
        assert outcome.reasons and outcome.reasons[0]["kind"] == "skill_match"
        outcome.state = SuggestionState.DECLINED
        session.add(SwarmMember(swarm_id=swarm_id, user_id="U0NET", joined_at=NOW))
    with sessions() as session:
        again = suggest_for_swarm(session, TEAM, swarm_id, NOW, ExpertSettings().policy())
    assert {"U0FW", "U0NET"}.isdisjoint(s.user_id for s in again.suggestions)


def test_closed_swarms_settle_outcomes_as_contributed_or_credited(sessions, directory):
    swarm_id = make_swarm(sessions, status=SwarmStatus.CLOSED, closed_at=NOW)
    with sessions.begin() as session:
        for user in ("U0FW", "U0NET", "U0BAT"):
            session.add(SuggestionOutcome(swarm_id=swarm_id, user_id=user, state=SuggestionState.JOINED,
                                          reasons=[], covers=[]))
        session.add(SwarmMember(swarm_id=swarm_id, user_id="U0NET", joined_at=NOW, credited=True))
        session.add(Note(swarm_id=swarm_id, channel_id="C1", message_ts="1.1", user_id="U0FW", created_at=NOW))
    with sessions.begin() as session:
        settled = settle_outcomes(session, since=NOW - timedelta(days=1))
    assert (settled.contributed, settled.credited) == (1, 1)
    with sessions() as session:
        states = {u: s for u, s in session.execute(select(SuggestionOutcome.user_id, SuggestionOutcome.state))}
    assert states == {"U0FW": "contributed", "U0NET": "credited", "U0BAT": "joined"}


class FakeProfiles:
    def __init__(self, users: dict, profiles: dict, labels: dict | None = None):
        self.users, self.profiles, self.labels = users, profiles, labels

    def user(self, user_id):
        return self.users.get(user_id)

    def profile(self, user_id):
        return self.profiles.get(user_id, {})

    def field_labels(self):
        if self.labels is None:
            raise RuntimeError("team.profile.get not available")
        return self.labels


def test_a_refresh_reads_custom_fields_and_marks_deactivated_and_vanished_people_inactive(sessions, directory):
    reader = FakeProfiles(
        users={"U0FW": {"id": "U0FW", "tz": "Asia/Seoul"}, "U0BAT": {"id": "U0BAT", "deleted": True},
               "U0NET": {"id": "U0NET"}},  # U0UI: user_not_found
        profiles={"U0FW": {"fields": {"Xf01": {"value": "inverter firmware:5, RS-485 wiring (2); 전력 변환"},
                                      "Xf02": {"value": "SolarMax 7000", "label": "Products"}}}},
        labels={"Xf01": "Skills"},
    )
    result = refresh_directory(sessions, reader, ExpertSettings(), team_id=TEAM, now=NOW)
    assert (result.checked, result.deactivated, result.updated) == (4, 2, 2)
    with sessions() as session:
        experts = {e.user_id: e for e in session.scalars(select(Expert).options(selectinload(Expert.skills),
                                                                                 selectinload(Expert.products)))}
    assert (experts["U0BAT"].active, experts["U0BAT"].inactive_reason) == (False, "deactivated")
    assert (experts["U0UI"].active, experts["U0UI"].inactive_reason) == (False, "not_found")
    skills = {(s.name, s.level, s.source) for s in experts["U0FW"].skills}
    assert ("inverter firmware", 5, "import") in skills, "the file's entry wins over the same name from Slack"
    assert {("RS-485 wiring", 2, "slack"), ("전력 변환", 3, "slack")} <= skills
    assert {p.name for p in experts["U0FW"].products} == {"SolarMax 5000", "SolarMax 7000"}


def test_skill_levels_in_profile_text_and_field_matching_by_label():
    assert parse_skill("modbus:4") == Skill("modbus", 4)
    assert parse_skill("modbus (2)") == Skill("modbus", 2)
    assert parse_skill("TCP/IP") == Skill("TCP/IP", 3)
    entries = profile_entries({"fields": {"X1": {"value": "한국어, English", "label": "언어"}}}, {}, ExpertSettings())
    assert entries.languages == ("한국어", "English")


def test_directory_fixture_is_the_documented_sample():
    assert {p.user_id for p in DIRECTORY} == {"U0FW", "U0BAT", "U0NET", "U0UI"}
