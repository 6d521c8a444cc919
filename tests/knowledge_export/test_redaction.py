"""Redaction: nothing planted leaks, little ordinary text is touched, placeholders are consistent."""

from __future__ import annotations

import pytest

from knowledge_export.redaction import Redactor, redact
from tests.knowledge_export.corpora import leak_report, over_redaction_report
from tests.knowledge_export.corpora.ordinary import ORDINARY
from tests.knowledge_export.corpora.planted import PLANTED


def test_the_corpora_are_big_enough_and_bilingual():
    assert len(PLANTED) >= 150
    assert len(ORDINARY) >= 150
    assert sum(any("가" <= c <= "힣" for c in item.text) for item in PLANTED) >= 75
    assert sum(any("가" <= c <= "힣" for c in line) for line in ORDINARY) >= 50


def test_nothing_planted_leaks():
    report = leak_report()
    print(f"\nleak rate: {len(report.failures)}/{report.total} = {report.rate:.2%}")
    assert report.failures == []


def test_little_ordinary_text_is_redacted():
    report = over_redaction_report()
    print(f"\nover-redaction rate: {len(report.failures)}/{report.total} = {report.rate:.2%}")
    for before, after in report.failures:
        print(f"  {before!r} -> {after!r}")
    assert report.rate < 0.02


@pytest.mark.parametrize("item", PLANTED[::7], ids=lambda item: f"{item.kind}:{item.value[:20]}")
def test_hints_never_show_the_value(item):
    result = redact(item.text, names=item.names)
    assert result.redactions
    for redaction in result.redactions:
        assert item.value not in redaction.hint
        assert redaction.placeholder in result.text


def test_the_same_value_gets_the_same_placeholder_in_every_section():
    redactor = Redactor(names=("Mina Park",))
    problem = redactor.redact("Mina Park (mina.park@example.com) cannot log in.")
    resolution = redactor.redact("We mailed MINA.PARK@example.com; Mina confirmed. Other: ops@example.com")
    assert problem == "[NAME-1] ([EMAIL-1]) cannot log in."
    assert resolution == "We mailed [EMAIL-1]; [NAME-1] confirmed. Other: [EMAIL-2]"
    counts = {r.placeholder: (r.kind, r.count, r.hint) for r in redactor.redactions}
    assert counts == {
        "[NAME-1]": ("name", 2, "M*** P***"),
        "[EMAIL-1]": ("email", 2, "m***@e***.com"),
        "[EMAIL-2]": ("email", 1, "o***@e***.com"),
    }


def test_placeholders_are_numbered_in_reading_order():
    text = redact("call 010-1234-5678 or mail a@example.com or 010-9999-8888").text
    assert text == "call [PHONE-1] or mail [EMAIL-1] or [PHONE-2]"


def test_secrets_are_listed_by_kind_without_their_value():
    result = redact("token xoxb-1234567890-abcdefghij and password=Hunter2!x")
    assert [(r.kind, r.hint) for r in result.redactions] == [("secret", "Slack token"), ("secret", "password or key")]
    assert "Hunter2" not in str(result)  # the original is kept for the review, never shown in a repr or log


def test_a_reviewer_can_restore_one_placeholder_and_a_later_redraft_keeps_it():
    result = redact("Password: Hunter2!x, ask Mina Park", names=("Mina Park",))
    name = next(r for r in result.redactions if r.kind == "name")
    assert name.original == "Mina Park"
    assert name.restore(result.text) == "Password: [SECRET-1], ask Mina Park"
    again = redact("Password: Hunter2!x, ask Mina Park", names=("Mina Park",), keep=("Mina Park",))
    assert again.text == "Password: [SECRET-1], ask Mina Park"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("log in with the service password hunter2-SECRET and reset",
         "log in with the service password [SECRET-1] and reset"),
        ("비밀번호 abc12345 로 로그인", "비밀번호 [SECRET-1] 로 로그인"),
        ("reset the password twice", "reset the password twice"),
        ("token 2 of 3 was used", "token 2 of 3 was used"),
        ("password 3.2.1 works", "password 3.2.1 works"),
    ],
)
def test_a_secret_written_after_its_label_with_only_a_space_goes(text, expected):
    assert redact(text).text == expected


def test_korean_names_with_particles_and_given_names():
    result = redact(
        "김민지 고객님이 민지님께 전달했고, 주식회사 한빛 담당자가 한빛의 장비를 확인함",
        names=("김민지", "주식회사 한빛"),
    )
    assert result.text == "[NAME-1] 고객님이 [NAME-1]님께 전달했고, [NAME-2] 담당자가 [NAME-2]의 장비를 확인함"


def test_names_do_not_match_inside_longer_words():
    assert redact("Parking lot sensors and Acmeville", names=("Mina Park", "Acme GmbH")).text == (
        "Parking lot sensors and Acmeville"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("firmware 1.2.10.4 is current", "firmware 1.2.10.4 is current"),
        ("버전 3.1.0.2 배포", "버전 3.1.0.2 배포"),
        ("connect to 10.2.3.4 first", "connect to [IP-1] first"),
        ("loopback 127.0.0.1 is fine", "loopback 127.0.0.1 is fine"),
    ],
)
def test_version_quads_stay_and_addresses_go(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["card 4242 4242 4242 4241 is not valid", "IBAN DE89 3704 0044 0532 0130 02 fails mod-97"],
)
def test_numbers_failing_their_checksum_stay(text):
    assert redact(text).text == text


def test_already_redacted_text_is_left_alone():
    once = redact("password=Hunter2!x mail a@example.com").text
    assert redact(once).text == once


def test_outside_sentinel_characters_cannot_confuse_the_redactor():
    assert redact("a\ue000\ue100\ue100\ue001b a@example.com").text == "a\ue100\ue100b [EMAIL-1]"
