"""The measure swarming is sold on: swarmed against non-swarmed cases, from the case system in use."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import responses

from bot.views.home import outcome_blocks
from swarms.case_systems.base import CaseSystemUnavailable
from swarms.case_systems.local import LocalCaseSystem
from swarms.case_systems.outcomes import OutcomeComparison, OutcomeGroup, group_of_days
from swarms.case_systems.zendesk import ZendeskCaseSystem
from swarms.models import Case, Swarm, SwarmStatus
from swarms.stats.swarming_outcomes import OutcomesAnswer, OutcomesKeeper
from tests.case_systems.conftest import DATA
from vendor_clients.zendesk import ZendeskConfig

START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _closed_case(number: str, created: datetime, after: timedelta) -> Case:
    return Case(number=number, subject=number, status="Closed", created_at=created, closed_at=created + after)


def test_the_local_store_compares_swarmed_and_other_closed_cases_of_the_period(sessions):
    """Given the store's closed cases, three swarmed here and one only in another workspace, that one is in
    neither group: it was swarmed, just not by this workspace."""
    at = datetime(2026, 11, 10, 9, tzinfo=UTC)
    with sessions.begin() as session:
        session.add_all([
            _closed_case("S1", at, timedelta(hours=3)), _closed_case("S2", at, timedelta(hours=5)),
            _closed_case("S3", at, 2 * DAY),
            _closed_case("N1", at, timedelta(hours=2)), _closed_case("N2", at, 3 * DAY),
            _closed_case("N3", at, 4 * DAY), _closed_case("N4", at, 6 * DAY),
            _closed_case("OLD", at - 60 * DAY, DAY),  # closed before the period
            _closed_case("E1", at, timedelta(hours=1)),  # swarmed in another workspace only
        ])
        session.add_all(Swarm(case_system="local", case_key=n, case_number=n, opened_by="U1",
                              status=SwarmStatus.CLOSED) for n in ("S1", "S2", "S3"))

    comparison = LocalCaseSystem(sessions).closed_case_outcomes(START, END, ["S1", "S2", "S3"], ["E1"])

    assert (comparison.swarmed.closed, comparison.swarmed.same_day) == (3, 2)
    assert comparison.swarmed.median_close_s == 5 * 3600
    assert (comparison.not_swarmed.closed, comparison.not_swarmed.same_day) == (4, 1)
    assert comparison.not_swarmed.median_close_s == 3.5 * 86400
    assert round(comparison.same_day_lift, 2) == round((2 / 3) / (1 / 4) - 1, 2)


def _soql(call) -> str:
    return parse_qs(urlsplit(call.request.url).query)["q"][0]


def _aggregate(rows: list[tuple[str, str, int]]) -> dict:
    return {"totalSize": len(rows), "done": True,
            "records": [{"attributes": {"type": "AggregateResult"}, "created": c, "closed": d, "n": n}
                        for c, d, n in rows]}


def test_salesforce_answers_with_soql_aggregates_and_the_difference_is_the_non_swarmed_cases(http, salesforce):
    http.add(responses.GET, f"{DATA}/query", json=_aggregate([("2026-11-02", "2026-11-02", 30),
                                                              ("2026-11-02", "2026-11-04", 50)]))
    http.add(responses.GET, f"{DATA}/query", json=_aggregate([("2026-11-02", "2026-11-02", 6),
                                                              ("2026-11-02", "2026-11-04", 2)]))
    swarmed_id = "5005g00000AbCdEAAA"

    comparison = salesforce.closed_case_outcomes(START, END, [swarmed_id, "not-an-id'"], [])

    everyone, swarmed = (_soql(call) for call in http.calls if "/query" in call.request.url)
    assert "GROUP BY DAY_ONLY(CreatedDate), DAY_ONLY(ClosedDate)" in everyone
    assert "ClosedDate >= 2026-11-01T00:00:00Z AND ClosedDate < 2026-12-01T00:00:00Z" in everyone
    assert f"Id IN ('{swarmed_id}')" in swarmed and "not-an-id" not in swarmed
    assert (comparison.swarmed.closed, comparison.swarmed.same_day) == (8, 6)
    assert (comparison.not_swarmed.closed, comparison.not_swarmed.same_day) == (72, 24)
    assert comparison.not_swarmed.median_close_s == 2 * 86400 and comparison.day_granular


def test_salesforce_leaves_the_cases_another_workspace_swarmed_out_of_the_non_swarmed(http, salesforce):
    for rows in ([("2026-11-02", "2026-11-02", 30), ("2026-11-02", "2026-11-04", 50)],  # every closed case
                 [("2026-11-02", "2026-11-02", 6), ("2026-11-02", "2026-11-04", 2)],  # swarmed here
                 [("2026-11-02", "2026-11-02", 4)]):  # swarmed in another workspace only
        http.add(responses.GET, f"{DATA}/query", json=_aggregate(rows))
    ours, theirs = "5005g00000AbCdEAAA", "5005g00000XyZzYAAA"

    comparison = salesforce.closed_case_outcomes(START, END, [ours], [theirs, ours])

    asked = [_soql(call) for call in http.calls if "/query" in call.request.url]
    assert f"Id IN ('{theirs}')" in asked[2]  # a case swarmed in both is this workspace's
    assert (comparison.swarmed.closed, comparison.swarmed.same_day) == (8, 6)
    assert (comparison.not_swarmed.closed, comparison.not_swarmed.same_day) == (68, 20)


def test_zendesk_answers_with_search_counts_and_the_swarmed_tickets_metric_sets():
    zendesk = ZendeskCaseSystem(ZendeskConfig(base_url="https://example.zendesk.com", email="b@x.com", api_token="t"))
    counts = {"type:ticket solved>=2026-11-01 solved<=2026-11-03": 40}
    with responses.RequestsMock() as http:
        def count(request):
            query = parse_qs(urlsplit(request.url).query)["query"][0]
            return 200, {}, f'{{"count": {counts.get(query, 4)}}}'

        http.add_callback(responses.GET, "https://example.zendesk.com/api/v2/search/count.json", callback=count)
        http.add(responses.GET, "https://example.zendesk.com/api/v2/tickets/show_many.json", json={
            "tickets": [{"id": 35436}],
            "metric_sets": [{"ticket_id": 35436, "created_at": "2026-11-02T08:00:00Z",
                             "solved_at": "2026-11-02T11:00:00Z"}]})
        comparison = zendesk.closed_case_outcomes(START, datetime(2026, 11, 4, tzinfo=UTC), ["35436"], [])
        asked = [parse_qs(urlsplit(c.request.url).query) for c in http.calls]
    assert sum("query" in q for q in asked) == 1 + 3  # the period's total, then one same-day count a day
    assert asked[-1]["ids"] == ["35436"] and asked[-1]["include"] == ["metric_sets"]
    assert comparison.swarmed == OutcomeGroup(1, 1, 3 * 3600.0)
    assert comparison.not_swarmed == OutcomeGroup(39, 11, None)  # Zendesk's counts carry no times


def test_zendesk_leaves_the_tickets_another_workspace_swarmed_out_of_the_non_swarmed():
    zendesk = ZendeskCaseSystem(ZendeskConfig(base_url="https://example.zendesk.com", email="b@x.com", api_token="t"))
    counts = {"type:ticket solved>=2026-11-01 solved<=2026-11-03": 40}
    metrics = {"35436": ("2026-11-02T08:00:00Z", "2026-11-02T11:00:00Z"),  # swarmed here
               "35437": ("2026-11-01T08:00:00Z", "2026-11-03T08:00:00Z")}  # swarmed in another workspace only
    with responses.RequestsMock() as http:
        def count(request):
            return 200, {}, f'{{"count": {counts.get(parse_qs(urlsplit(request.url).query)["query"][0], 4)}}}'

        def show_many(request):
            ids = parse_qs(urlsplit(request.url).query)["ids"][0].split(",")
            sets = [{"ticket_id": int(i), "created_at": metrics[i][0], "solved_at": metrics[i][1]} for i in ids]
            return 200, {}, json.dumps({"metric_sets": sets})

        http.add_callback(responses.GET, "https://example.zendesk.com/api/v2/search/count.json", callback=count)
        http.add_callback(responses.GET, "https://example.zendesk.com/api/v2/tickets/show_many.json",
                          callback=show_many)
        comparison = zendesk.closed_case_outcomes(START, datetime(2026, 11, 4, tzinfo=UTC), ["35436"],
                                                  ["35437", "35436"])
    assert comparison.swarmed == OutcomeGroup(1, 1, 3 * 3600.0)
    assert comparison.not_swarmed == OutcomeGroup(38, 11, None)  # 40 solved, less ours and theirs (not same day)


def test_a_comparison_is_kept_for_a_while_and_a_case_system_that_is_down_is_asked_again(sessions):
    class Counting:
        name, calls, down = "local", 0, False

        def closed_case_outcomes(self, start, end, keys, elsewhere):
            self.calls += 1
            if self.down:
                raise CaseSystemUnavailable("Salesforce answered 503")
            return OutcomeComparison(start, end, OutcomeGroup(0, 0, None), OutcomeGroup(0, 0, None), "local")

    clock = [0.0]
    keeper, cases = OutcomesKeeper(ttl=600, clock=lambda: clock[0]), Counting()
    cases.down = True
    assert keeper.compare(sessions, cases, "T0ACME0001", START, END, 30).unavailable == "Salesforce answered 503"
    cases.down = False
    assert keeper.compare(sessions, cases, "T0ACME0001", START, END, 30).comparison is not None
    keeper.compare(sessions, cases, "T0ACME0001", START, END, 30)
    clock[0] = 601
    keeper.compare(sessions, cases, "T0ACME0001", START, END, 30)
    assert cases.calls == 3


def test_the_home_section_reads_side_by_side_in_both_languages_and_says_when_there_is_nothing():
    comparison = OutcomeComparison(START, END, group_of_days(Counter({0: 6, 2: 2})),
                                   group_of_days(Counter({0: 24, 2: 48})), "salesforce", day_granular=True)
    english = outcome_blocks(OutcomesAnswer(comparison), 30, "en")
    assert english[0]["text"]["text"] == "Swarmed vs. not swarmed (last 30 days)"
    left, right = (f["text"] for f in english[1]["fields"])
    assert left.startswith("*Swarmed*") and "Same day: 75% (6)" in left
    assert right.startswith("*Not swarmed*") and "Same day: 33% (24)" in right
    assert "125% more often" in english[2]["elements"][0]["text"]
    korean = outcome_blocks(OutcomesAnswer(comparison), 30, "ko")
    assert "당일 해결: 75% (6건)" in korean[1]["fields"][0]["text"]
    down = outcome_blocks(OutcomesAnswer(None, "Salesforce answered 503"), 7, "en")
    assert "did not answer" in down[1]["text"]["text"] and "Salesforce answered 503" in down[1]["text"]["text"]


def test_a_manager_opening_home_sees_swarmed_against_other_cases_and_an_agent_does_not(swarm_app, sessions):
    from swarms.db import utcnow

    now = utcnow()
    with sessions.begin() as session:
        session.add_all([_closed_case("S9", now - DAY, timedelta(hours=1)),
                         _closed_case("N9", now - 3 * DAY, 2 * DAY)])
        session.add(Swarm(team_id=swarm_app.workspace.team_id, case_system="local", case_key="S9", case_number="S9",
                          opened_by="U1", status=SwarmStatus.CLOSED))
    people = swarm_app.people
    swarm_app.driver.user_opens_home(people.manager)
    swarm_app.driver.user_opens_home(people.agent)
    swarm_app.settle()
    manager = swarm_app.workspace.home_view(people.manager)["blocks"]
    [fields] = [b for b in manager if b.get("block_id") == "home.outcomes"]
    swarmed, other = (f["text"] for f in fields["fields"])
    assert "Closed: 1\nSame day: 100% (1)" in swarmed and "Closed: 1\nSame day: 0% (0)" in other
    assert not [b for b in swarm_app.workspace.home_view(people.agent)["blocks"] if b.get("block_id") == "home.outcomes"]
