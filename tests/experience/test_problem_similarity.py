"""How alike two support problems read, across Korean and English (what the offer of existing work ranks by)."""

from __future__ import annotations

from swarms.opening.problem_similarity import Candidates, analyse

WORK = {
    "firmware": ("Inverter firmware update stuck at 58%, bootloader error E587", "Hybrid 5K"),
    "fan": ("Loud fan noise from the inverter at night", "Hybrid 5K"),
    "login": ("Mobile app login fails with error 401", "SolarView App"),
    "charger": ("Charger trips the house RCD when charging starts", "EV Charger 22"),
    "generator": ("Inverter rejects the generator: frequency error E-05", "Hybrid 5K"),
}


def scores(text: str, product: str) -> dict[str, float]:
    """The word, letter and code signals (meaning adds to them: tests/experience/test_offer_by_meaning.py)."""
    index = Candidates([analyse(*work) for work in WORK.values()], meaning=False)
    return dict(zip(WORK, index.similarities(analyse(text, product)).tolist(), strict=True))


def test_a_korean_report_meets_the_english_work_on_the_same_problem_first():
    found = scores("인버터 펌웨어 업데이트가 58%에서 멈춤, 부트로더 E587", "Hybrid 5K")
    assert max(found, key=found.get) == "firmware"
    assert found["firmware"] > 0.35 > found["fan"]


def test_korean_with_english_product_words_meets_the_english_work():
    found = scores("EV Charger 22 연결하면 누전차단기가 떨어집니다", "EV Charger 22")
    assert max(found, key=found.get) == "charger" and found["charger"] > 0.25


def test_typos_still_meet_the_work():
    found = scores("Invertor firmwre updat stuck at 58 percent", "Hybrid 5K")
    assert max(found, key=found.get) == "firmware" and found["firmware"] > 0.25


def test_the_same_product_alone_is_no_evidence():
    found = scores("Where is the spare part number for the Hybrid 5K display?", "Hybrid 5K")
    assert max(found.values()) < 0.25, found


def test_an_error_code_counts_only_on_the_same_product():
    on_inverter = scores("Error E-05 when the generator runs", "Hybrid 5K")["generator"]
    on_charger = scores("Error E-05 on the display", "EV Charger 22")["generator"]
    assert on_inverter > 0.35 > 0.25 > on_charger
