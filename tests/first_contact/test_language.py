"""Stumble 6: the notes the app writes into the case record are in one language: the swarm's."""

from __future__ import annotations

from sqlalchemy import select

from swarms.models import Case, LocalCaseNote
from tests.e2e.conftest import swarm_app  # noqa: F401  (the running bot fixture)


def case_notes(sessions, number: str) -> list[str]:
    with sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return [n.body for n in session.scalars(select(LocalCaseNote).where(LocalCaseNote.case_id == case_id)
                                                .order_by(LocalCaseNote.id))]


def is_korean(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def close(app, number: str, user: str, resolution: str) -> None:
    channel = next(c for c in app.workspace.channels() if c.name.startswith(f"swarm-{number}"))
    app.driver.command("/swarm", f"close {resolution}", user=user, channel=channel.id)
    app.settle()


def test_an_english_swarm_closes_into_the_case_record_in_english_alone(swarm_app, sessions):  # noqa: F811
    swarm_app.swarm("00001026")
    close(swarm_app, "00001026", swarm_app.people.agent, "Firmware 3.2.1")
    closing = case_notes(sessions, "00001026")[-1]
    assert closing.splitlines()[:2] == ["[Swarm closed] Closed in Slack by Dana Agent.", "Resolution: Firmware 3.2.1"]
    assert not is_korean(closing)


def test_a_korean_swarm_closes_into_the_case_record_in_korean_alone(swarm_app, sessions):  # noqa: F811
    swarm_app.swarm("help", user=swarm_app.people.expert)  # the bot learns who they are (ko-KR)
    swarm_app.swarm("00001027", user=swarm_app.people.expert)
    close(swarm_app, "00001027", swarm_app.people.expert, "BMS 펌웨어 1.4.3")
    closing = case_notes(sessions, "00001027")[-1]
    assert closing.splitlines()[:2] == ["[스웜 종료] 김지우 님이 Slack에서 종료했습니다.", "해결: BMS 펌웨어 1.4.3"]
    assert "Swarm closed" not in closing
