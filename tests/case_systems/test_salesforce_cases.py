"""Reading Salesforce cases and the changes made on them."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from swarms.case_systems.base import CaseNotFound
from tests.case_systems.conftest import CASE_ID, DATA, INSTANCE

QUERY = f"{DATA}/query"


def _soql(call) -> str:
    return parse_qs(urlsplit(call.request.url).query)["q"][0]


def _case_rows(sf_samples, **extra):
    body = sf_samples["query_cases"]["response"]["body"]
    record = {**body["records"][0], "IsClosed": False, "Product__c": "Checkout", **extra}
    record["Contact"] = {"Name": "Jonas Weber", "Email": "jonas@acme.example"}
    record["CreatedDate"] = "2026-11-20T09:14:00.000+0000"
    return dict(body, records=[record])


def test_a_case_is_read_by_its_number_with_contact_account_owner_and_product(http, salesforce, sf_samples):
    http.add(responses.GET, QUERY, json=_case_rows(sf_samples))

    case = salesforce.get_case("00001026")

    assert (case.key, case.number, case.status, case.priority) == (CASE_ID, "00001026", "Escalated", "High")
    assert (case.account, case.owner, case.product) == ("Acme GmbH", "Dana Agent", "Checkout")
    assert (case.contact_name, case.contact_email) == ("Jonas Weber", "jonas@acme.example")
    assert case.url == f"{INSTANCE}/lightning/r/Case/{CASE_ID}/view"
    assert case.created_at == datetime(2026, 11, 20, 9, 14, tzinfo=UTC)
    assert not case.is_closed
    assert "CaseNumber IN ('00001026')" in _soql(http.calls[-1])


def test_a_short_number_also_matches_the_zero_padded_case_number(http, salesforce, sf_samples):
    http.add(responses.GET, QUERY, json=_case_rows(sf_samples))
    salesforce.get_case("1026")
    assert "CaseNumber IN ('00001026','1026')" in _soql(http.calls[-1])


def test_a_case_is_read_by_its_record_id_too(http, salesforce, sf_samples):
    http.add(responses.GET, QUERY, json=_case_rows(sf_samples, IsClosed=True))
    assert salesforce.is_closed(CASE_ID)
    assert f"Id = '{CASE_ID}'" in _soql(http.calls[-1])


def test_user_input_is_escaped_in_soql(http, salesforce, sf_samples):
    http.add(responses.GET, QUERY, json=sf_samples["query_no_rows"]["response"]["body"])
    with pytest.raises(CaseNotFound):
        salesforce.get_case("1' OR Subject LIKE '%")
    assert "CaseNumber IN ('1\\' OR Subject LIKE \\'%')" in _soql(http.calls[-1])


def test_no_rows_is_case_not_found(http, salesforce, sf_samples):
    http.add(responses.GET, QUERY, json=sf_samples["query_no_rows"]["response"]["body"])
    with pytest.raises(CaseNotFound):
        salesforce.get_case("99999999")


def test_a_missing_product_field_does_not_stop_reading_cases(http, salesforce, sf_samples):
    bad_field = sf_samples["error_malformed_query"]["response"]
    http.add(responses.GET, QUERY, status=400, json=bad_field["body"])
    http.add(responses.GET, QUERY, json=_case_rows(sf_samples))

    assert salesforce.get_case("00001026").subject.startswith("Checkout fails")
    assert "Product__c" in _soql(http.calls[-2]) and "Product__c" not in _soql(http.calls[-1])


def test_changes_are_status_priority_owner_and_public_comments_not_written_by_us(http, salesforce):
    history = {
        "done": True,
        "records": [
            {
                "Id": "017A1",
                "CaseId": CASE_ID,
                "Field": "Status",
                "OldValue": "New",
                "NewValue": "Escalated",
                "CreatedDate": "2026-11-21T10:00:00.000+0000",
                "CreatedBy": {"Name": "Dana Agent"},
            },
            {
                "Id": "017A2",
                "CaseId": CASE_ID,
                "Field": "Owner",
                "OldValue": "005000000000001AAA",
                "NewValue": "005000000000002AAA",
                "CreatedDate": "2026-11-21T10:05:00.000+0000",
            },
            {
                "Id": "017A3",
                "CaseId": CASE_ID,
                "Field": "Owner",
                "OldValue": "Dana Agent",
                "NewValue": "Mina Park",
                "CreatedDate": "2026-11-21T10:05:00.000+0000",
                "CreatedBy": {"Name": "Dana Agent"},
            },
        ],
    }
    comments = {
        "done": True,
        "records": [
            {
                "Id": "00aC1",
                "ParentId": CASE_ID,
                "CommentBody": "Any news? The shop is down.",
                "CreatedDate": "2026-11-21T11:00:00.000+0000",
                "CreatedBy": {"Name": "Jonas Weber"},
            },
            {
                "Id": "00aC2",
                "ParentId": CASE_ID,
                "CommentBody": "ours\n[case-swarm:k1]",
                "CreatedDate": "2026-11-21T11:01:00.000+0000",
            },
        ],
    }
    http.add(responses.GET, QUERY, json=history)
    http.add(responses.GET, QUERY, json=comments)

    changes = salesforce.changes_since([CASE_ID, "not-an-id"], datetime(2026, 11, 21, 9, 0))

    assert [(c.field, c.old, c.new, c.author, c.change_id) for c in changes] == [
        ("status", "New", "Escalated", "Dana Agent", "sf:017A1"),
        ("owner", "Dana Agent", "Mina Park", "Dana Agent", "sf:017A3"),
        ("public_comment", "", "Any news? The shop is down.", "Jonas Weber", "sf:00aC1"),
    ]
    history_soql = _soql(http.calls[1])
    assert "FROM CaseHistory" in history_soql and "CreatedDate > 2026-11-21T09:00:00+00:00" in history_soql
    assert "not-an-id" not in history_soql


def test_no_case_keys_means_no_calls(http, salesforce):
    assert salesforce.changes_since([], datetime(2026, 1, 1, tzinfo=UTC)) == []
    assert salesforce.api_calls == 0
