"""Before a new swarm opens, work that already exists on the same problem is offered first."""

from __future__ import annotations

import logging

from bench.duplicates import DEVELOPMENT
from bench.duplicates import run as measure_offers
from bot.views.existing_work import OfferAction
from swarms.models import Case


def _offer(app, user: str) -> dict:
    [payload] = [r["payload"] for r in app.standin.responses(user) if "blocks" in r["payload"]
                 and any(OfferAction.OPEN_ANYWAY in str(b) for b in r["payload"]["blocks"])][-1:]
    return payload


def _click(app, user: str, action: str, value: str) -> None:
    app.driver.block_action(action, user=user, channel=app.workspace.general_id, message_ts="1.0", value=value,
                            ephemeral=True)
    app.settle()


def _seed_repeat_report(sessions) -> None:
    with sessions.begin() as session:
        session.add_all([
            Case(number="00002001", subject="Inverter E-21 error after the firmware update", status="New",
                 priority="High", product="SolarMax 5000", description="FW 3.2 installed yesterday, E-21 every hour"),
            Case(number="00002002", subject="인버터 펌웨어 업데이트 후 E-21 오류", status="New", product="SolarMax 5000",
                 description="어제 펌웨어 3.2 설치 후 매시간 E-21이 뜹니다"),
            Case(number="00002003", subject="Request for a datasheet of the new mounting rails", status="New",
                 product="Mounting Kit"),
        ])


def test_a_repeat_report_is_offered_the_open_swarm_and_joining_it_opens_nothing_new(swarm_app, sessions):
    _seed_repeat_report(sessions)
    people = swarm_app.people
    swarm_app.swarm("00001026")  # the swarm already at work on E-21 after the update
    channels_before = len(swarm_app.workspace.channels())

    swarm_app.swarm("00002001", user=people.admin)
    offer = _offer(swarm_app, people.admin)
    assert "Before I open a swarm for *00002001*" in offer["blocks"][0]["text"]["text"]
    join = offer["blocks"][1]["accessory"]
    assert join["action_id"] == OfferAction.JOIN and "case 00001026" in offer["blocks"][1]["text"]["text"]
    assert len(swarm_app.workspace.channels()) == channels_before

    _click(swarm_app, people.admin, OfferAction.JOIN, join["value"])
    channel = next(c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-00001026"))
    assert people.admin in swarm_app.workspace.members(channel.id)
    assert swarm_app.answers(people.admin)[-1].startswith(":white_check_mark: You're in <#")
    assert len(swarm_app.workspace.channels()) == channels_before


def test_open_anyway_opens_the_new_swarm_and_a_korean_agent_reads_the_offer_in_korean(swarm_app, sessions):
    _seed_repeat_report(sessions)
    people = swarm_app.people
    swarm_app.swarm("00001026")
    swarm_app.swarm("00002002", user=people.expert)
    offer = _offer(swarm_app, people.expert)
    assert "스웜을 열기 전에" in offer["blocks"][0]["text"]["text"]

    _click(swarm_app, people.expert, OfferAction.OPEN_ANYWAY, "00002002")
    assert any(c.name.startswith("swarm-00002002") for c in swarm_app.workspace.channels())


def test_an_unrelated_case_opens_straight_away_and_a_forged_join_is_answered(swarm_app, sessions):
    _seed_repeat_report(sessions)
    people = swarm_app.people
    swarm_app.swarm("00001026")
    swarm_app.swarm("00002003", user=people.admin)
    assert any(c.name.startswith("swarm-00002003") for c in swarm_app.workspace.channels())
    _click(swarm_app, people.admin, OfferAction.JOIN, "99999999999999999999")
    assert swarm_app.answers(people.admin)[-1] == "I couldn't read that button. Run `/swarm` again."
    _click(swarm_app, people.admin, OfferAction.JOIN, "424242")
    assert swarm_app.answers(people.admin)[-1].startswith("That swarm is no longer open.")


def test_on_the_development_sets_known_duplicates_come_first_and_unrelated_cases_get_nothing():
    """With meaning (the README's install) the word sets (dev, dev2, dev3) meet both targets. The paraphrase
    set (dev4: few shared words) reaches about half; dev5, written apart and first measured after the rule was
    chosen, meets the first target while a fifth of its unrelated cases, written to share a part and its words
    with a problem held (a question about the same input, an order for the same breaker), are offered
    something (bench/duplicates.py gives the figures; these floors only guard them)."""
    floors = {"dev4": (0.50, 0.05), "dev5": (0.80, 0.30)}
    for rates in measure_offers(DEVELOPMENT):
        first, false = floors.get(rates.data, (0.80, 0.05))
        assert rates.first_rate >= first and rates.false_rate <= false, rates


def test_without_meaning_the_word_sets_still_meet_both_targets():
    """SWARM_OFFER_MEANING=false, or an install without the `meaning` extra: words, letters and codes, with
    their own floor and margin."""
    floors = {"dev4": (0.40, 0.05), "dev5": (0.60, 0.25)}
    for rates in measure_offers(DEVELOPMENT, meaning=False):
        first, false = floors.get(rates.data, (0.80, 0.05))
        assert rates.first_rate >= first and rates.false_rate <= false, rates


def test_an_english_report_is_offered_the_swarm_solved_in_korean_on_the_same_problem(swarm_app, sessions):
    """Given a swarm on a Korean case, closed with a Korean resolution, when an English-speaking agent opens the
    same problem reported in English, then the offer names the solved Korean swarm, and nothing is opened."""
    with sessions.begin() as session:
        session.add(Case(number="00002011", subject="Battery charging stops at 80% since BMS firmware 1.4.2",
                         status="New", product="PowerWall K", description="Charge level never goes above 80%."))
    people = swarm_app.people
    swarm_app.swarm("00001027", user=people.expert)  # 배터리 충전이 80%에서 멈춥니다
    channel = next(c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-00001027"))
    swarm_app.driver.command("/swarm", "close BMS 펌웨어 1.4.3으로 업데이트하니 100%까지 충전됩니다",
                             user=people.expert, channel=channel.id)
    swarm_app.settle()
    channels_before = len(swarm_app.workspace.channels())

    swarm_app.swarm("00002011", user=people.admin)
    offer = _offer(swarm_app, people.admin)
    solved = offer["blocks"][1]["text"]["text"]
    assert solved.startswith(":white_check_mark: *Solved before* on case 00001027"), solved
    assert "1.4.3" in solved
    assert len(swarm_app.workspace.channels()) == channels_before


def test_when_looking_for_existing_work_fails_the_swarm_opens_without_an_offer(swarm_app, sessions, monkeypatch,
                                                                               caplog):
    """The offer is a help, never a reason a swarm does not open: a failure there is logged and the swarm opens."""
    from bot.opening import offers

    def broken(*args, **kwargs):
        raise RuntimeError("index unreadable")

    _seed_repeat_report(sessions)
    swarm_app.swarm("00001026")
    monkeypatch.setattr(offers, "find_existing_work", broken)
    with caplog.at_level(logging.ERROR, logger=offers.__name__):
        swarm_app.swarm("00002001", user=swarm_app.people.admin)
    assert any(c.name.startswith("swarm-00002001") for c in swarm_app.workspace.channels())
    assert "case 00002001: looking for existing work failed; opening without an offer" in caplog.messages
