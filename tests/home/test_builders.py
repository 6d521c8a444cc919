"""Home tab, digest and export builders as plain functions: limits, languages, forged values."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.views.home import DownloadRequest, HomeAction, HomeModel, build_home, digest_message, home_as_text
from swarms.stats.contributions import (
    ManagerStats,
    MySwarms,
    Period,
    PersonRow,
    SilentExpert,
    TeamFigures,
    WeekPoint,
)
from swarms.stats.export import people_csv, weekly_chart_png
from swarms.stats.home_open import OpenSwarms, SwarmLine
from tests.home.conftest import NOW, ago


def figures(days: int = 30) -> TeamFigures:
    start, end = Period(days).window(NOW)
    return TeamFigures(Period(days), start, end, 12, 9, 8, 5400.0, 0.625, 10, 7)


def person(i: int, **kw) -> PersonRow:
    return PersonRow(f"U{i:06d}", kw.pop("name", f"Person {i}"), kw.pop("left", False), 3, 10 + i, 1, 1800.0, 2, 4,
                     **kw)


def line(i: int) -> SwarmLine:
    return SwarmLine(i, f"C{i:06d}", f"{1000 + i}", "배터리 충전이 80%에서 멈춥니다 " * 5, ago(days=2), ago(hours=3),
                     "idle" if i % 2 else "no_expert")


def mine(n: int = 3, days: int = 30) -> MySwarms:
    return MySwarms("UME", Period(days), [line(i) for i in range(n)], n + 7, [line(i) for i in range(n)], person(0),
                    NOW)


def team(people: int = 15) -> ManagerStats:
    rows = [person(i) for i in range(people)]
    silent = [SilentExpert(f"UX{i}", f"Expert {i}", i == 0, 2, ago(hours=10)) for i in range(12)]
    return ManagerStats(figures(), rows, people + 40, rows[:5], silent, [line(i) for i in range(10)], 31)


def texts(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def test_a_manager_sees_team_figures_and_the_download_button_with_the_period_in_its_value():
    view = build_home(HomeModel("en", mine(), team(), can_download=True))
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    controls = view["blocks"][1]["elements"]
    assert controls[0]["action_id"] == HomeAction.PERIOD and controls[0]["initial_option"]["value"] == "30"
    assert [o["value"] for o in controls[0]["options"]] == ["7", "30", "90"]
    assert controls[1]["action_id"] == HomeAction.DOWNLOAD
    assert DownloadRequest.loads(controls[1]["value"]).days == 30
    text = home_as_text(view)
    assert "Team, last 30 days" in text and "62%" in text and "70% (7/10)" in text and "2h" in text
    assert "Expert 0 (left Slack)" in text and "<@UX1>" in text
    assert "40 more people in the download." in text and "Stalled swarms (31)" in text


def test_everyone_else_sees_only_their_own_part():
    view = build_home(HomeModel("en", mine(), None, can_download=False))
    assert [e["action_id"] for e in view["blocks"][1]["elements"]] == [HomeAction.PERIOD]
    assert "Team" not in home_as_text(view) and "home.download" not in texts(view)
    assert "…and 7 more." in home_as_text(view)


def test_the_view_stays_within_100_blocks_and_section_limits_with_many_rows():
    view = build_home(HomeModel("en", mine(50), team(people=300), can_download=True))
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["block_id"] == "home.overflow"
    for block in view["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def test_korean_viewers_read_korean():
    view = build_home(HomeModel("ko", mine(days=7), team(), can_download=True))
    text = home_as_text(view)
    assert "내 스웜" in text and "최근 7일 내 기여" in text and "팀, 최근 30일" in text and "2시간" in text
    assert "Your swarms" not in text


def test_an_empty_home_says_so():
    empty = MySwarms("UME", Period(30), [], 0, [], PersonRow("UME", "UME", False), NOW)
    text = home_as_text(build_home(HomeModel("en", empty)))
    assert "You are in no open swarm." in text and "No invitation is waiting for you." in text


def test_a_thread_swarm_links_to_its_thread_in_every_list_and_a_channel_swarm_to_its_channel():
    """Given a thread-mode swarm and a channel one in my swarms, the stalled list and the team's open list, each
    thread line links to the thread (its permalink), each channel line names the channel."""
    thread = replace(line(1), channel_id="C0SUPPORT1", thread_ts="1700000000.000100", members=3)
    channel = replace(line(2), members=2)
    own = replace(mine(0), open=[thread, channel], open_total=2)
    model = HomeModel("en", own, replace(team(), stalled=[thread], stalled_total=1), can_download=True,
                      team_open=OpenSwarms([thread, channel], 2), workspace_url="https://acme.slack.com/")
    view = texts(build_home(model))
    link = "<https://acme.slack.com/archives/C0SUPPORT1/p1700000000000100|a thread> in <#C0SUPPORT1>"
    assert view.count(link) == 3 and view.count("<#C000002>") == 2
    korean = texts(build_home(replace(model, lang="ko")))
    assert "<#C0SUPPORT1>의 <https://acme.slack.com/archives/C0SUPPORT1/p1700000000000100|스레드>" in korean
    unknown = texts(build_home(replace(model, workspace_url="")))  # Slack could not say the workspace's URL
    assert "archives" not in unknown and unknown.count("<#C0SUPPORT1>") == 3


@pytest.mark.parametrize("value", ['{"days": 14}', '{"days": "30", "user": "U1"}', "[30]", "30", "", None,
                                   '{"days": "30; DROP"}'])
def test_forged_download_values_are_refused(value):
    with pytest.raises(ValueError):
        DownloadRequest.loads(value)


def test_the_digest_has_a_fallback_text_and_its_top_contributors():
    message = digest_message(figures(7), [person(1), person(2, left=True, name="Gone")], "2026-W10", "en")
    assert message["text"].startswith("Swarm digest for the week of 2026-W10: 12 swarms opened, 9 closed")
    assert "1. <@U000001>" in texts(message) and "Gone (left Slack)" in texts(message)
    korean = digest_message(figures(7), [], "2026-W10", "ko")
    assert "스웜 주간 요약" in texts(korean) and "아직 기여가 없습니다" in texts(korean)


def test_the_csv_keeps_korean_names_and_defuses_formulas():
    rows = [person(1, name="김지우"), person(2, name="=HYPERLINK(\"x\")"),
            PersonRow("U3", "U3", True, 0, 0, 0, None, 1, 0)]
    data = people_csv(rows, "user_id,name,left_slack,swarms_joined,notes,resolutions_credited,"
                            "median_first_reply_minutes,current_load,outside_hours_share")
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][1] == "name" and len(table) == 4
    assert table[1][:2] == ["U000001", "김지우"] and table[1][6] == "30.0" and table[1][8] == "0.364"
    assert table[2][1].startswith("'=")
    assert table[3][2] == "yes" and table[3][6] == "" and table[3][8] == ""


def test_the_chart_is_a_png():
    points = [WeekPoint(NOW - timedelta(weeks=w), w, w, None if w == 0 else 0.5) for w in range(12)]
    png = weekly_chart_png(points, title="Swarms", swarms_label="Swarms opened", rate_label="Same-day")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
