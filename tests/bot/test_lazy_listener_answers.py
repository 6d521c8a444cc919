"""Every lazy listener answers its failure: work that runs after the ack and fails says so to the person who
clicked, instead of Bolt logging it and the person hearing nothing (the registration helper's guard)."""

from __future__ import annotations

from bot.views.home import HomeAction
from tests.e2e.conftest import swarm_app  # noqa: F401  (the end-to-end harness's fixture)


def opened_home(app, user: str) -> str:
    app.driver.user_opens_home(user)
    app.settle()
    return app.workspace.home_view(user)["id"]


def test_given_slack_refuses_the_export_upload_when_a_manager_downloads_then_they_are_told(swarm_app):  # noqa: F811
    manager = swarm_app.people.manager
    view_id = opened_home(swarm_app, manager)
    swarm_app.standin.fail_next("files.getUploadURLExternal", "internal_error")

    swarm_app.driver.block_action(HomeAction.DOWNLOAD, user=manager, view_id=view_id)
    swarm_app.settle()

    told = [m["text"] for m in swarm_app.workspace.dms(manager)]
    assert any("Slack refused a step (`internal_error`)" in text for text in told), told


def test_given_slack_refuses_the_home_view_when_a_manager_picks_a_period_then_they_are_told(swarm_app):  # noqa: F811
    manager = swarm_app.people.manager
    view_id = opened_home(swarm_app, manager)
    swarm_app.standin.fail_next("views.publish", "internal_error")

    swarm_app.driver.block_action(HomeAction.PERIOD, user=manager, view_id=view_id,
                                  action={"type": "static_select", "selected_option": {"value": "7"}})
    swarm_app.settle()

    told = [m["text"] for m in swarm_app.workspace.dms(manager)]
    assert any("Slack refused a step (`internal_error`)" in text for text in told), told
