"""Stumble 7: a swarm on a Korean case gets a readable channel name, never noise."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import swarm_app  # noqa: F401  (the running bot fixture)


def swarm_channels(app) -> list[str]:
    return [c.name for c in app.workspace.channels() if c.name.startswith("swarm-")]


def test_a_korean_subject_names_the_channel_in_korean(swarm_app):  # noqa: F811
    swarm_app.swarm("00001027")
    assert swarm_channels(swarm_app) == ["swarm-00001027-배터리-충전이-80-에서-멈춥니다"]


@pytest.mark.parametrize("swarm_app", [{"CHANNEL_NAMES_ASCII": "yes"}], indirect=True)
def test_with_ascii_names_forced_a_korean_subject_gives_the_number_alone(swarm_app):  # noqa: F811
    swarm_app.swarm("00001027")
    swarm_app.swarm("00001026")
    assert swarm_channels(swarm_app) == ["swarm-00001027", "swarm-00001026-inverter-shows-e-21-after-firmware-update"]


def test_a_workspace_that_refuses_korean_letters_gets_the_ascii_name(swarm_app):  # noqa: F811
    swarm_app.workspace.ascii_channel_names_only = True
    swarm_app.swarm("00001027")
    assert swarm_channels(swarm_app) == ["swarm-00001027"]
    card = swarm_app.workspace.messages(swarm_app.workspace.channels()[-1].id)[0]
    assert "배터리 충전이 80%에서 멈춥니다" in str(card["blocks"])
