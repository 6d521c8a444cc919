"""Writing swarm notes to Salesforce through sObject Collections, once each, whatever fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses

from swarms.case_systems.base import CaseSystemUnavailable, NoteKind, NoteToWrite
from swarms.case_systems.salesforce import SalesforceCaseSystem
from tests.case_systems.conftest import CASE_ID, DATA, INSTANCE, add_token, never_sleep
from vendor_clients.salesforce import SalesforceConfig

COLLECTIONS = f"{DATA}/composite/sobjects"
QUERY = f"{DATA}/query"
AT = datetime(2026, 11, 21, 16, 5, tzinfo=UTC)
KOREAN = "인버터가 펌웨어 업데이트 후 매시간 재시작됩니다 "


def note(key: str, body: str = "the E-214 loop is the watchdog; roll back to 3.1.4", **changes) -> NoteToWrite:
    fields = {"case_key": CASE_ID, "author_name": "Mina Park", "created_at": AT, **changes}
    return NoteToWrite(idempotency_key=key, body=body, **fields)


def sent_records(call) -> list[dict]:
    payload = json.loads(call.request.body)
    assert payload["allOrNone"] is False
    return payload["records"]


def all_succeed(request):
    records = json.loads(request.body)["records"]
    answers = [{"id": f"00a{index:015d}", "success": True, "errors": []} for index, _ in enumerate(records)]
    return 200, {}, json.dumps(answers)


def collection_calls(http, method: str = "POST"):
    return [call for call in http.calls if call.request.url == COLLECTIONS and call.request.method == method]


def test_a_note_becomes_an_internal_case_comment_with_author_time_and_marker(http, salesforce, sf_samples):
    created = sf_samples["casecomment_create"]["response"]["body"]
    http.add(responses.POST, COLLECTIONS, json=[created])

    [result] = salesforce.add_notes([note("k1")])

    assert (result.ok, result.external_id) == (True, "00a5g00000QwErTAAZ")
    [record] = sent_records(collection_calls(http)[0])
    assert record["attributes"] == {"type": "CaseComment"}
    assert (record["ParentId"], record["IsPublished"]) == (CASE_ID, False)
    assert record["CommentBody"] == (
        "Mina Park (Slack, 2026-11-21 16:05 UTC):\nthe E-214 loop is the watchdog; roll back to 3.1.4\n[case-swarm:k1]"
    )


def test_a_partly_failed_batch_maps_each_record_back_to_its_note(http, salesforce, sf_samples):
    http.add(responses.POST, COLLECTIONS, json=sf_samples["sobject_collections_create_partial_failure"]["response"]["body"])

    ok, bad = salesforce.add_notes([note("k1"), note("k2", case_key="5005g00000ZzZzZAAV")])

    assert (ok.ok, ok.external_id) == (True, "00a5g00000QwErUAAZ")
    assert not bad.ok and not bad.retryable
    assert "INVALID_CROSS_REFERENCE_KEY" in bad.error


def test_a_locked_row_is_worth_retrying(http, salesforce):
    locked = {"success": False, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain lock"}]}
    http.add(responses.POST, COLLECTIONS, json=[locked])
    [result] = salesforce.add_notes([note("k1")])
    assert not result.ok and result.retryable


def test_a_long_korean_note_goes_out_in_numbered_parts_within_4000_bytes(http, salesforce):
    http.add_callback(responses.POST, COLLECTIONS, callback=all_succeed)

    [result] = salesforce.add_notes([note("k-ko", KOREAN * 200, author_name="박민아")])

    records = sent_records(collection_calls(http)[0])
    assert len(records) == 4
    for number, record in enumerate(records, start=1):
        body = record["CommentBody"]
        assert len(body.encode("utf-8")) <= 4000
        assert body.startswith(f"({number}/4) 박민아 (Slack,")
        assert body.endswith(f"[case-swarm:k-ko {number}/4]")
    assert result.ok and len(result.external_id.split(",")) == 4


def test_a_split_note_is_ok_only_when_every_part_is(http, salesforce):
    def second_part_fails(request):
        records = json.loads(request.body)["records"]
        answers = [{"id": f"00aPART{index}", "success": True, "errors": []} for index in range(len(records))]
        answers[1] = {"success": False, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "lock"}]}
        return 200, {}, json.dumps(answers)

    http.add_callback(responses.POST, COLLECTIONS, callback=second_part_fails)
    [result] = salesforce.add_notes([note("k-ko", KOREAN * 200)])
    assert not result.ok and result.retryable
    assert result.error.startswith("3 of 4 parts written")
    assert result.external_id == "00aPART0,00aPART2,00aPART3"


def test_250_notes_go_out_in_two_calls(http, salesforce):
    http.add_callback(responses.POST, COLLECTIONS, callback=all_succeed)

    results = salesforce.add_notes([note(f"k{index}") for index in range(250)])

    assert [len(sent_records(call)) for call in collection_calls(http)] == [200, 50]
    assert all(result.ok for result in results)
    assert [result.idempotency_key for result in results] == [f"k{index}" for index in range(250)]
    assert salesforce.api_calls == 2


def test_a_note_that_may_have_landed_is_found_by_its_marker_and_not_written_twice(http, salesforce):
    existing = {
        "done": True,
        "records": [
            {"Id": "00aEXIST1", "ParentId": CASE_ID, "CommentBody": "Mina Park (Slack…):\nhi\n[case-swarm:k1]"}
        ],
    }
    http.add(responses.GET, QUERY, json=existing)
    http.add_callback(responses.POST, COLLECTIONS, callback=all_succeed)

    found, fresh = salesforce.add_notes([note("k1", maybe_written=True), note("k2", maybe_written=True)])

    assert (found.ok, found.external_id) == (True, "00aEXIST1")
    assert fresh.ok
    [record] = sent_records(collection_calls(http)[0])
    assert record["CommentBody"].endswith("[case-swarm:k2]")


def test_only_the_missing_parts_of_a_half_written_note_are_sent(http, salesforce):
    existing = {
        "done": True,
        "records": [{"Id": "00aPART1", "ParentId": CASE_ID, "CommentBody": "(1/4) …\n[case-swarm:k-ko 1/4]"}],
    }
    http.add(responses.GET, QUERY, json=existing)
    http.add_callback(responses.POST, COLLECTIONS, callback=all_succeed)

    [result] = salesforce.add_notes([note("k-ko", KOREAN * 200, maybe_written=True)])

    records = sent_records(collection_calls(http)[0])
    assert [record["CommentBody"][:5] for record in records] == ["(2/4)", "(3/4)", "(4/4)"]
    assert result.ok and result.external_id.startswith("00aPART1,")


def test_when_nothing_may_have_landed_no_lookup_is_made(http, salesforce):
    http.add_callback(responses.POST, COLLECTIONS, callback=all_succeed)
    salesforce.add_notes([note("k1")])
    assert not [call for call in http.calls if "/query" in call.request.url]


def test_an_edit_rewrites_the_same_comment(http, salesforce):
    http.add(responses.PATCH, COLLECTIONS, json=[{"id": "00aORIG", "success": True, "errors": []}])

    [result] = salesforce.add_notes([note("k1-e1", "roll back to 3.1.3", kind=NoteKind.EDIT, external_id="00aORIG")])

    [record] = sent_records(collection_calls(http, "PATCH")[0])
    assert record["id"] == "00aORIG" and "IsPublished" not in record
    assert record["CommentBody"].startswith("Mina Park (Slack, edited 2026-11-21 16:05 UTC):\nroll back to 3.1.3")
    assert (result.ok, result.external_id) == (True, "00aORIG")


def test_an_edit_longer_than_the_original_adds_the_extra_parts(http, salesforce):
    http.add_callback(responses.PATCH, COLLECTIONS, callback=all_succeed)
    http.add(responses.POST, COLLECTIONS, json=[{"id": "00aNEW2", "success": True, "errors": []}])

    [result] = salesforce.add_notes([note("e", "word " * 1500, kind=NoteKind.EDIT, external_id="00aORIG")])

    assert len(sent_records(collection_calls(http, "PATCH")[0])) == 1
    assert [r["ParentId"] for r in sent_records(collection_calls(http, "POST")[0])] == [CASE_ID]
    assert result.external_id == "00aORIG,00aNEW2"


def test_a_retraction_leaves_a_visible_line_on_every_part_never_a_delete(http, salesforce):
    http.add_callback(responses.PATCH, COLLECTIONS, callback=all_succeed)

    [result] = salesforce.add_notes(
        [note("k1-r", "", kind=NoteKind.RETRACT, external_id="00aP1,00aP2", author_name="Dana Agent")]
    )

    records = sent_records(collection_calls(http, "PATCH")[0])
    assert [record["id"] for record in records] == ["00aP1", "00aP2"]
    assert records[0]["CommentBody"] == (
        "(1/2) [retracted in Slack at 2026-11-21 16:05 UTC by Dana Agent]\n[case-swarm:k1-r]"
    )
    assert result.ok and not [call for call in http.calls if call.request.method == "DELETE"]


def test_an_edit_of_a_note_never_written_cannot_be_retried_into_success(http, salesforce):
    [result] = salesforce.add_notes([note("e", "x", kind=NoteKind.EDIT)])
    assert not result.ok and not result.retryable
    assert salesforce.api_calls == 0


def test_feed_items_are_internal_text_posts(http, sf_samples):
    add_token(http, sf_samples)
    system = SalesforceCaseSystem(
        SalesforceConfig(client_id="c", client_secret="s", login_url=INSTANCE, note_target="feed_item"),
        sleep=never_sleep,
    )
    http.add_callback(responses.POST, COLLECTIONS, callback=all_succeed)

    system.add_notes([note("k1")])

    [record] = sent_records(collection_calls(http)[0])
    assert record["attributes"] == {"type": "FeedItem"}
    assert (record["Visibility"], record["Type"]) == ("InternalUsers", "TextPost")
    assert record["Body"].endswith("[case-swarm:k1]")


def test_when_the_second_call_fails_the_first_calls_notes_still_count(http, salesforce):
    http.add_callback(responses.POST, COLLECTIONS, callback=all_succeed)
    http.add(responses.POST, COLLECTIONS, status=503, body="unavailable")

    results = salesforce.add_notes([note(f"k{index}") for index in range(250)])

    assert all(result.ok for result in results[:200])
    assert not any(result.ok for result in results[200:])
    assert all(result.retryable and "not sent" in result.error for result in results[200:])


def test_an_over_limit_org_fails_the_whole_batch_for_the_outbox(http, salesforce, sf_samples):
    http.add(responses.POST, COLLECTIONS, status=403, json=sf_samples["error_request_limit"]["response"]["body"])
    with pytest.raises(CaseSystemUnavailable) as error:
        salesforce.add_notes([note("k1"), note("k2")])
    assert error.value.retry_after


def test_a_refused_call_fails_its_notes_without_retry(http, salesforce, sf_samples):
    http.add(responses.POST, COLLECTIONS, status=400, json=sf_samples["error_required_field_missing"]["response"]["body"])
    results = salesforce.add_notes([note("k1"), note("k2")])
    assert [(r.ok, r.retryable) for r in results] == [(False, False), (False, False)]
    assert "REQUIRED_FIELD_MISSING" in results[0].error
