"""Redaction: nothing planted leaks, little ordinary text is touched, placeholders are consistent."""

from __future__ import annotations

import pytest

from knowledge_export.redaction import Redactor, by_kind, redact
from tests.knowledge_export.corpora import leak_report, ordinary, over_redaction_report, planted

KINDS = {"secret", "email", "phone", "card", "iban", "national_id", "ip", "address", "name"}


def test_the_corpora_are_big_enough_bilingual_and_cover_every_kind():
    items, lines = planted(), ordinary()
    assert len(items) >= 400
    assert sum(any("가" <= c <= "힣" for c in item.text) for item in items) >= 150
    assert {item.kind for item in items} == KINDS
    assert len(lines) >= 300
    assert {"versions", "uuids", "hashes and commits", "timestamps", "skus and part numbers", "error codes",
            "korean model names", "json with nulls"} <= {line.category for line in lines}


def test_nothing_planted_leaks():
    report = leak_report()
    print(f"\nleak rate: {len(report.failures)}/{report.total} = {report.rate:.2%}")
    assert report.failures == []


def test_ordinary_support_text_comes_through():
    report = over_redaction_report()
    print(f"\nover-redaction rate: {len(report.failures)}/{report.total} = {report.rate:.2%}")
    for category, before, after in report.failures:
        print(f"  {category}: {before!r} -> {after!r}")
    assert report.rate <= 0.01


@pytest.mark.parametrize("item", planted()[::9], ids=lambda item: f"{item.kind}:{item.value[:20]}")
def test_hints_never_show_the_value(item):
    result = redact(item.text, names=item.names, people=item.people)
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the river pump and energy yield, said the field engineer",
         "the river pump and energy yield, said the field engineer"),
        ("Blue River Energy runs the pump; Grace Field owns it", "[NAME-1] runs the pump; [NAME-2] owns it"),
        ("Dear Ms. Field, the fix is live", "Dear Ms. [NAME-1], the fix is live"),
        ("하늘색 LED가 켜졌고 박하늘 고객님과 하늘 씨가 확인", "하늘색 LED가 켜졌고 [NAME-1] 고객님과 [NAME-1] 씨가 확인"),
    ],
)
def test_a_common_word_in_a_name_is_never_redacted_alone(text, expected):
    assert redact(text, names=("Grace Field", "Blue River Energy", "박하늘")).text == expected


def test_korean_and_romanised_forms_of_a_contact_are_one_person():
    romanised = redact("김민지 고객님(Kim Min-ji)이 민지님 계정으로 문의", names=("Minji Kim",))
    assert romanised.text == "[NAME-1] 고객님([NAME-1])이 [NAME-1]님 계정으로 문의"
    korean = redact("Minji Kim wrote; 김민지 님 확인", names=("김민지",))
    assert korean.text == "[NAME-1] wrote; [NAME-1] 님 확인"


def test_names_the_case_does_not_know_are_found_by_title_greeting_and_signature():
    text = "송민호 대리가 로그를 보냈고 Dr. Walsh approved.\nThanks,\nLinda Chen"
    assert redact(text).text == "[NAME-1] 대리가 로그를 보냈고 Dr. [NAME-2] approved.\nThanks,\n[NAME-3]"
    assert redact("기술팀 팀장과 고객사 담당자에게 공유").redactions == ()


def test_the_swarms_own_members_are_redacted_too():
    assert redact("Dana Agent restarted it; the agent log is attached", people=("Dana Agent",)).text == (
        "[NAME-1] restarted it; the agent log is attached"
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"password": null, "token": null}',
        "Password: reset by the customer on Monday",
        "비밀번호는 12자 이상이어야 합니다.",
        "1.2.9.8 still has the bug; 1.2.10.4 does not",
    ],
)
def test_the_listed_over_redactions_are_gone(text):
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("db_password=Zq8!rT5w", "secret"),
        ("pw: Xk9#mQ2v", "secret"),
        ("비번: dkssud123!", "secret"),
        ("AccountKey=Xy7Kq2mZ9pLw4Rt8Vb3Nc6Hd1Jf5Gs0Ae2Ui9Oq7Wz4Ey1Tx8Ry5Mn3Bv6Cl0Pk2Dh7Jg4Fs9Qa1Zw8Xe5Rt3Yu6Io0P==", "secret"),
        ("sid=00D5g000004ABCD!AQ4AQJ8h3kLm9Nn0PpQqRrSsTtUuVvWwXxYyZz1234567890abcdefg", "secret"),
        ("주민번호 900101-1234568", "national_id"),
        ("card 5105105105105100 read as 51051051 05105100", "card"),
        ("서울특별시 강남구 테헤란로 123, 4층", "address"),
        ("221B Baker Street, London NW1 6XE", "address"),
        ("+82 10-1234-5678", "phone"),
    ],
)
def test_each_kind_is_reported_with_its_original(text, kind):
    result = redact(text)
    groups = by_kind(result.redactions)
    assert kind in groups
    assert all(r.original and r.original in text for r in groups[kind])


def test_a_phone_number_without_a_country_code_is_read_in_the_team_region():
    assert redact("전화 02-312-4567", phone_region="KR").text == "전화 [PHONE-1]"
    assert redact("call 030 1234567", phone_region="DE").text == "call [PHONE-1]"


def test_the_draft_redacts_the_swarms_members_in_what_leaves_but_credits_them_in_the_review():
    from knowledge_export.drafting import draft_article
    from tests.knowledge_export.conftest import msg, transcript

    chat = [msg(1, "Who has the logs?", author="U1"),
            msg(2, "Lee Dev found it on the dev server; Dana Agent rolled back", author="U2", marks=["resolution"])]
    draft = draft_article(transcript(*chat))
    assert draft.resolution == "[NAME-1] found it on the dev server; [NAME-2] rolled back"
    assert "Lee Dev" in draft.contributors


def test_the_phone_region_is_a_setting_that_reaches_the_draft():
    from knowledge_export.drafting import draft_article
    from swarms.settings import Settings, SettingsError
    from tests.knowledge_export.conftest import msg, transcript

    assert Settings.from_env({}, needs_slack=False).knowledge.phone_region == "KR"
    region = Settings.from_env({"KNOWLEDGE_PHONE_REGION": "de"}, needs_slack=False).knowledge.phone_region
    assert region == "DE"
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"KNOWLEDGE_PHONE_REGION": "Korea"}, needs_slack=False)
    assert caught.value.name == "KNOWLEDGE_PHONE_REGION"
    chat = [msg(1, "Fixed: the site office (030 1234567) confirmed the reboot", marks=["resolution"])]
    assert "[PHONE-1]" in draft_article(transcript(*chat), phone_region=region).resolution
