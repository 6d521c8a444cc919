from __future__ import annotations

import responses

from swarms.case_systems.salesforce import SalesforceCaseSystem
from tests.case_systems.conftest import DATA, INSTANCE


def _org(http, sf_samples, *, case_fields, knowledge_status=200):
    http.add(responses.GET, f"{DATA}/limits", json={"DailyApiRequests": {"Max": 100000, "Remaining": 98766}})
    http.add(responses.GET, f"{DATA}/query", json=sf_samples["query_cases"]["response"]["body"])
    http.add(responses.GET, f"{DATA}/sobjects/CaseComment/describe", json={"createable": True, "updateable": True})
    http.add(responses.GET, f"{DATA}/sobjects/Case/describe", json={"fields": [{"name": n} for n in case_fields]})
    knowledge = {"createable": True, "fields": [{"name": "Title"}, {"name": "Body__c"}]}
    if knowledge_status == 404:
        http.add(
            responses.GET,
            f"{DATA}/sobjects/Knowledge__kav/describe",
            status=404,
            json=sf_samples["error_not_found"]["response"]["body"],
        )
    else:
        http.add(responses.GET, f"{DATA}/sobjects/Knowledge__kav/describe", json=knowledge)


def test_check_says_in_words_what_works(http, salesforce, sf_samples):
    _org(http, sf_samples, case_fields=["Id", "Subject", "Product__c"])

    lines = salesforce.check()

    assert all(line.ok for line in lines)
    assert lines[0].what == f"Salesforce login works (client credentials, instance {INSTANCE})"
    assert "API calls: 1,234 of 100,000 used in the last 24 hours" in [line.what for line in lines]
    assert "Cases can be read (latest: 00001026)" in [line.what for line in lines]


def test_check_names_the_setting_to_fix(http, salesforce: SalesforceCaseSystem, sf_samples):
    _org(http, sf_samples, case_fields=["Id", "ProductId", "Product_Line__c"], knowledge_status=404)

    bad = {line.what: line.detail for line in salesforce.check() if not line.ok}

    assert bad["Product field Product__c does not exist on Case: set SALESFORCE_PRODUCT_FIELD"] == (
        "fields that look like a product: ProductId, Product_Line__c"
    )
    assert "Knowledge (Knowledge__kav) is not available: knowledge drafts cannot be exported" in bad


def test_check_stops_at_a_failed_login(http, sf_config):
    http.add(
        responses.POST,
        f"{INSTANCE}/services/oauth2/token",
        status=400,
        json={"error": "invalid_grant", "error_description": "no client credentials user enabled"},
    )
    [line] = SalesforceCaseSystem(sf_config).check()
    assert not line.ok and "no client credentials user enabled" in line.detail
