"""Zendesk tickets as cases: reading them, private notes folded per ticket, changes from audits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests
import responses

from swarms.case_systems.base import CaseNotFound, CaseSystemAuthError, CaseSystemUnavailable, NoteKind, NoteToWrite
from swarms.case_systems.zendesk import ZendeskCaseSystem
from swarms.settings import SettingsError
from swarms.vendor_settings import zendesk_from_env
from vendor_clients.zendesk import ZendeskConfig

ZD = "https://example.zendesk.com"
TICKET = f"{ZD}/api/v2/tickets/35436.json"
SEARCH = f"{ZD}/api/v2/users/search.json"
AT = datetime(2026, 11, 21, 16, 5, tzinfo=UTC)


@pytest.fixture
def zendesk() -> ZendeskCaseSystem:
    return ZendeskCaseSystem(ZendeskConfig(base_url=ZD, email="bot@example.com", api_token="tok-123"))


def note(key: str, body: str = "the E-214 loop is the watchdog", **changes) -> NoteToWrite:
    fields = {"case_key": "35436", "author_name": "Mina Park", "created_at": AT, **changes}
    return NoteToWrite(idempotency_key=key, body=body, **fields)


def puts(http) -> list[dict]:
    return [json.loads(call.request.body)["ticket"]["comment"] for call in http.calls if call.request.method == "PUT"]


def add_update(http, zd_samples, url: str = TICKET) -> None:
    http.add(responses.PUT, url, json=zd_samples["ticket_update_private_comment"]["response"]["body"])


def test_settings_come_from_the_subdomain_and_an_api_token():
    config = zendesk_from_env(
        {"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "bot@acme.com", "ZENDESK_API_TOKEN": "tok-xyz"}
    )
    assert (config.base_url, config.help_center_locale) == ("https://acme.zendesk.com", "en-us")
    assert "tok-xyz" not in repr(config)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "bot@acme.com"}, "ZENDESK_API_TOKEN"),
        ({"ZENDESK_SUBDOMAIN": "acme"}, "ZENDESK_EMAIL"),
        ({"ZENDESK_OAUTH_TOKEN": "t"}, "ZENDESK_SUBDOMAIN"),
        (
            {"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_OAUTH_TOKEN": "t", "ZENDESK_HELP_CENTER_SECTION_ID": "abc"},
            "ZENDESK_HELP_CENTER_SECTION_ID",
        ),
    ],
)
def test_missing_or_malformed_settings_are_named(env, name):
    with pytest.raises(SettingsError) as error:
        zendesk_from_env(env)
    assert error.value.name == name


def test_a_ticket_is_read_with_requester_organization_and_assignee(http, zendesk, zd_samples):
    body = dict(
        zd_samples["ticket_show"]["response"]["body"],
        users=[
            {
                "id": 20978392,
                "name": "Jonas Weber",
                "email": "jonas@acme.example",
                "locale": "de-DE",
                "role": "end-user",
            },
            {"id": 235323, "name": "Mina Park", "email": "mina.park@example.com", "role": "agent"},
        ],
        organizations=[{"id": 509974, "name": "Acme GmbH"}],
    )
    http.add(responses.GET, TICKET, json=body)
    config = ZendeskConfig(base_url=ZD, oauth_token="oauth-1", product_field_id="27642")

    case = ZendeskCaseSystem(config).get_case("#35436")

    assert (case.key, case.subject, case.status, case.priority) == (
        "35436",
        "Inverter shows error E-214 after firmware update",
        "open",
        "high",
    )
    assert (case.contact_name, case.contact_email, case.account, case.owner) == (
        "Jonas Weber",
        "jonas@acme.example",
        "Acme GmbH",
        "Mina Park",
    )
    assert (case.product, case.language, case.url) == ("solar-inverter-x5", "de", f"{ZD}/agent/tickets/35436")
    assert not case.is_closed
    assert "include=users%2Corganizations" in http.calls[0].request.url
    assert http.calls[0].request.headers["Authorization"] == "Bearer oauth-1"


def test_a_missing_ticket_is_case_not_found(http, zendesk, zd_samples):
    http.add(
        responses.GET,
        f"{ZD}/api/v2/tickets/999999.json",
        status=404,
        json=zd_samples["ticket_not_found"]["response"]["body"],
    )
    with pytest.raises(CaseNotFound):
        zendesk.get_case("999999")


def test_refused_credentials_are_an_auth_error(http, zendesk, zd_samples):
    http.add(responses.GET, TICKET, status=401, json=zd_samples["unauthorized_401"]["response"]["body"])
    with pytest.raises(CaseSystemAuthError):
        zendesk.get_case("35436")


def test_a_note_is_a_private_comment_by_the_agent_with_the_authors_email(http, zendesk, zd_samples):
    http.add(responses.GET, SEARCH, json=zd_samples["user_search_by_email"]["response"]["body"])
    add_update(http, zd_samples)

    [result] = zendesk.add_notes([note("k1", author_email="Mina.Park@example.com")])

    assert (result.ok, result.external_id) == (True, "2127301163")
    [comment] = puts(http)
    assert (comment["public"], comment["author_id"]) == (False, 235323)
    assert (
        comment["body"] == "Mina Park (Slack, 2026-11-21 16:05 UTC):\nthe E-214 loop is the watchdog\n[case-swarm:k1]"
    )
    assert http.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_pending_notes_for_one_ticket_are_folded_into_one_comment(http, zendesk, zd_samples):
    add_update(http, zd_samples)
    add_update(http, zd_samples, f"{ZD}/api/v2/tickets/4016.json")

    results = zendesk.add_notes([note("k1"), note("k2", case_key="4016"), note("k3"), note("k4")])

    assert [result.external_id for result in results] == ["2127301163"] * 4
    first, second = puts(http)
    assert [line for line in first["body"].splitlines() if line.startswith("[case-swarm:")] == [
        "[case-swarm:k1]",
        "[case-swarm:k3]",
        "[case-swarm:k4]",
    ]
    assert second["body"].endswith("[case-swarm:k2]")


def test_an_author_lookup_is_made_once_and_unknown_authors_fall_back_to_the_api_user(http, zendesk, zd_samples):
    http.add(responses.GET, SEARCH, json={"users": [], "count": 0})
    add_update(http, zd_samples)

    zendesk.add_notes([note("k1", author_email="guest@elsewhere.example")])
    zendesk.add_notes([note("k2", author_email="guest@elsewhere.example")])

    assert len([call for call in http.calls if call.request.url.startswith(SEARCH)]) == 1
    assert all("author_id" not in comment for comment in puts(http))


def test_a_fold_of_different_authors_is_posted_by_the_api_user(http, zendesk, zd_samples):
    add_update(http, zd_samples)
    zendesk.add_notes([note("k1", author_email="a@example.com"), note("k2", author_email="b@example.com")])
    assert "author_id" not in puts(http)[0]
    assert not [call for call in http.calls if call.request.url.startswith(SEARCH)]


def test_rate_limiting_is_unavailable_with_zendesks_retry_after(http, zendesk, zd_errors):
    limited = zd_errors["rate_limited_429"]
    http.add(
        responses.PUT,
        TICKET,
        status=429,
        body=limited["body_text"],
        headers={"Retry-After": limited["headers"]["Retry-After"]},
    )
    with pytest.raises(CaseSystemUnavailable) as error:
        zendesk.add_notes([note("k1")])
    assert error.value.retry_after == 7


def test_a_closed_ticket_fails_its_notes_for_good_with_the_reason(http, zendesk, zd_errors):
    http.add(responses.PUT, TICKET, status=422, json=zd_errors["record_invalid_422"]["body"])
    [result] = zendesk.add_notes([note("k1")])
    assert not result.ok and not result.retryable
    assert "Status: closed prevents ticket update" in result.error


def test_a_deleted_ticket_fails_its_notes_for_good(http, zendesk, zd_errors):
    http.add(responses.PUT, TICKET, status=404, json=zd_errors["record_not_found_404"]["body"])
    [result] = zendesk.add_notes([note("k1")])
    assert (result.ok, result.retryable, result.error) == (False, False, "ticket 35436 not found (deleted?)")


def test_a_note_that_may_have_landed_is_found_in_the_comments_and_not_written_twice(http, zendesk, zd_samples):
    comments = zd_samples["ticket_comments_list"]["response"]["body"]
    landed = dict(comments["comments"][0], body=comments["comments"][0]["body"] + "\n[case-swarm:k1]")
    http.add(responses.GET, f"{ZD}/api/v2/tickets/35436/comments.json", json=dict(comments, comments=[landed]))
    add_update(http, zd_samples)

    found, fresh = zendesk.add_notes([note("k1", maybe_written=True), note("k2", maybe_written=True)])

    assert (found.ok, found.external_id) == (True, "2127301163")
    assert fresh.ok
    [comment] = puts(http)
    assert "[case-swarm:k1]" not in comment["body"] and "[case-swarm:k2]" in comment["body"]


def test_edits_and_retractions_are_new_private_comments_pointing_at_the_original(http, zendesk, zd_samples):
    add_update(http, zd_samples)

    results = zendesk.add_notes(
        [
            note("k1-e", "roll back to 3.1.3", kind=NoteKind.EDIT, external_id="2127301163"),
            note("k2-r", "", kind=NoteKind.RETRACT, external_id="2127301170", author_name="Dana Agent"),
        ]
    )

    assert all(result.ok for result in results)
    body = puts(http)[0]["body"]
    assert "[replaces the note in comment 2127301163; Zendesk comments cannot be edited]\nroll back to 3.1.3" in body
    assert (
        "[retracted in Slack at 2026-11-21 16:05 UTC by Dana Agent: the note in comment 2127301170 is withdrawn]"
        in body
    )
    assert not [call for call in http.calls if call.request.method == "DELETE"]


def test_when_a_later_ticket_is_rate_limited_the_written_notes_still_count(http, zendesk, zd_samples, zd_errors):
    add_update(http, zd_samples)
    http.add(
        responses.PUT, f"{ZD}/api/v2/tickets/4016.json", status=429, body="slow down", headers={"Retry-After": "7"}
    )

    first, second = zendesk.add_notes([note("k1"), note("k2", case_key="4016")])

    assert first.ok
    assert not second.ok and second.retryable and "not sent" in second.error


def test_a_time_out_is_unavailable(http, zendesk):
    http.add(responses.PUT, TICKET, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(CaseSystemUnavailable):
        zendesk.add_notes([note("k1")])


def test_changes_come_from_audits_status_priority_assignee_and_end_user_comments(http, zendesk):
    audits = {
        "audits": [
            {
                "id": 1,
                "author_id": 235323,
                "created_at": "2026-11-21T08:00:00Z",
                "events": [
                    {"id": 11, "type": "Change", "field_name": "status", "value": "open", "previous_value": "new"}
                ],
            },
            {
                "id": 2,
                "author_id": 235323,
                "created_at": "2026-11-21T10:00:00Z",
                "events": [
                    {"id": 21, "type": "Change", "field_name": "status", "value": "pending", "previous_value": "open"},
                    {
                        "id": 22,
                        "type": "Change",
                        "field_name": "assignee_id",
                        "value": "235323",
                        "previous_value": None,
                    },
                    {"id": 23, "type": "Comment", "public": False, "body": "internal"},
                ],
            },
            {
                "id": 3,
                "author_id": 20978392,
                "created_at": "2026-11-21T11:00:00Z",
                "events": [{"id": 31, "type": "Comment", "public": True, "body": "Still restarting every hour."}],
            },
        ],
        "users": [
            {"id": 235323, "name": "Mina Park", "role": "agent"},
            {"id": 20978392, "name": "Jonas Weber", "role": "end-user"},
        ],
        "next_page": None,
    }
    http.add(responses.GET, f"{ZD}/api/v2/tickets/35436/audits.json", json=audits)

    changes = zendesk.changes_since(["35436"], datetime(2026, 11, 21, 9, 0))

    assert [(c.field, c.old, c.new, c.author, c.change_id) for c in changes] == [
        ("status", "open", "pending", "Mina Park", "zd:2:21"),
        ("owner", "", "Mina Park", "Mina Park", "zd:2:22"),
        ("public_comment", "", "Still restarting every hour.", "Jonas Weber", "zd:3:31"),
    ]


def test_check_says_what_works_and_what_to_set(http, zd_samples):
    config = ZendeskConfig(base_url=ZD, email="bot@example.com", api_token="t", help_center_section_id="360000123456")
    http.add(responses.GET, f"{ZD}/api/v2/users/me.json", json={"user": {"id": 1, "role": "admin"}})
    http.add(responses.GET, f"{ZD}/api/v2/tickets.json", json={"tickets": [{"id": 35436}]})
    http.add(
        responses.GET,
        f"{ZD}/api/v2/help_center/en-us/sections/360000123456.json",
        status=404,
        json={"error": "RecordNotFound"},
    )

    lines = ZendeskCaseSystem(config).check()

    assert lines[0].ok and lines[0].what.startswith("Zendesk login works (API token of bot@example.com, admin)")
    assert lines[1].what == "Tickets can be read (e.g. #35436)"
    assert not lines[2].ok and "set ZENDESK_HELP_CENTER_SECTION_ID" in lines[2].what
