"""Stumble 9: the Home is built after Slack's 200, lists the team's open swarms, and counts in words."""

from __future__ import annotations

import threading
import time

import bot.listeners.home as home_listener
from bot.i18n.catalog import t
from bot.views.home import home_as_text
from tests.e2e.conftest import swarm_app  # noqa: F401  (the running bot fixture)


def open_home(app, user: str):
    result = app.driver.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": "D0HOME",
                               "event_ts": f"{time.time():.6f}"})
    app.settle()
    return result


def test_slack_gets_its_200_before_the_home_is_built(swarm_app, monkeypatch):  # noqa: F811
    release, built = threading.Event(), threading.Event()
    real = home_listener.home_model

    def slow_model(*args, **kwargs):
        release.wait(10)  # the stats queries of a big team
        model = real(*args, **kwargs)
        built.set()
        return model

    monkeypatch.setattr(home_listener, "home_model", slow_model)
    started = time.monotonic()
    result = swarm_app.driver.event({"type": "app_home_opened", "user": swarm_app.people.manager, "tab": "home",
                                     "channel": "D0HOME", "event_ts": "1795430005.000100"})
    answered = time.monotonic() - started
    assert result.status == 200 and answered < 5 and not built.is_set()
    release.set()
    swarm_app.settle()
    assert built.is_set() and swarm_app.workspace.home_view(swarm_app.people.manager) is not None


def test_a_manager_sees_the_teams_open_swarms_oldest_first_with_members(swarm_app):  # noqa: F811
    swarm_app.swarm("00001026")
    swarm_app.swarm("00001027", user=swarm_app.people.expert)
    open_home(swarm_app, swarm_app.people.manager)
    text = home_as_text(swarm_app.workspace.home_view(swarm_app.people.manager))
    assert "Open swarms of the team (2)" in text
    lines = [line for line in text.splitlines() if "last activity" in line]
    assert len(lines) == 2 and "00001026" in lines[0] and "00001027" in lines[1]
    assert all("· 1 member ·" in line for line in lines)
    open_home(swarm_app, swarm_app.people.agent)
    assert "Open swarms of the team" not in home_as_text(swarm_app.workspace.home_view(swarm_app.people.agent))


def test_counts_take_their_plural_from_the_catalog():
    one = t("home.top.line", "en", rank=1, who="Ana", resolutions=1, joined=1, notes=1)
    many = t("home.top.line", "en", rank=2, who="Bo", resolutions=0, joined=2, notes=5)
    assert one == "1. Ana · 1 resolved · 1 swarm · 1 note"
    assert many == "2. Bo · 0 resolved · 2 swarms · 5 notes"
    assert t("home.top.line", "ko", rank=1, who="Ana", resolutions=1, joined=1, notes=1) == \
        "1. Ana · 해결 1 · 스웜 1 · 메모 1"


def test_outside_hours_is_explained_where_it_is_shown(swarm_app):  # noqa: F811
    open_home(swarm_app, swarm_app.people.manager)
    text = home_as_text(swarm_app.workspace.home_view(swarm_app.people.manager))
    assert "_outside hours_: share of their notes written outside their working hours" in text
