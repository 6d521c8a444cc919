"""`case-swarm check` for Salesforce: does the login work, and do the settings fit this org?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from swarms.case_systems.base import CheckLine
from vendor_clients.errors import VendorAuthError, VendorError, VendorUnavailable
from vendor_clients.salesforce import MODE_WORDS, SalesforceApiError, SalesforceRest

if TYPE_CHECKING:
    from swarms.case_systems.salesforce import SalesforceCaseSystem



def check_salesforce(system: SalesforceCaseSystem) -> list[CheckLine]:
    """Login, API limit, one case, the note object, the product field and Knowledge, in words."""
    config, rest = system.config, system.rest
    mode = MODE_WORDS[config.auth_mode]
    try:
        instance = rest.login()
    except (VendorAuthError, VendorUnavailable) as exc:
        return [CheckLine(False, f"Salesforce login fails ({mode})", str(exc))]
    lines = [CheckLine(True, f"Salesforce login works ({mode}, instance {instance})")]
    if config.auth_mode == "password":
        lines.append(
            CheckLine(
                True,
                "Username-password login is being retired by Salesforce",
                "move to client credentials or JWT bearer",
            )
        )
    steps = (
        ("API limit", lambda: _limits(rest)),
        ("Reading cases", lambda: _cases(rest)),
        ("Notes", lambda: _note_target(rest, system.target.sobject)),
        ("Product field", lambda: _product(rest, config.product_field)),
        ("Knowledge", lambda: _knowledge(rest, config.knowledge_object, config.knowledge_body_field)),
    )
    for what, step in steps:
        try:
            lines.append(step())
        except VendorError as exc:
            lines.append(CheckLine(False, f"{what}: Salesforce refused the check", str(exc)))
    return lines


def _limits(rest: SalesforceRest) -> CheckLine:
    daily = (rest.request("GET", "limits") or {}).get("DailyApiRequests", {})
    most, left = int(daily.get("Max", 0)), int(daily.get("Remaining", 0))
    return CheckLine(left > most // 10, f"API calls: {most - left:,} of {most:,} used in the last 24 hours")


def _cases(rest: SalesforceRest) -> CheckLine:
    rows = rest.query_all("SELECT Id, CaseNumber FROM Case ORDER BY LastModifiedDate DESC LIMIT 1")
    latest = rows[0]["CaseNumber"] if rows else "none yet"
    return CheckLine(True, f"Cases can be read (latest: {latest})")


def _note_target(rest: SalesforceRest, sobject: str) -> CheckLine:
    described = describe(rest, sobject) or {}
    if described.get("createable") and described.get("updateable"):
        return CheckLine(True, f"Notes go to {sobject} (internal); the integration user can create and edit them")
    return CheckLine(
        False,
        f"The integration user cannot create and edit {sobject}",
        f"grant Create and Edit on {sobject}, or set SALESFORCE_NOTE_TARGET",
    )


def _product(rest: SalesforceRest, product: str) -> CheckLine:
    fields = (describe(rest, "Case") or {}).get("fields", [])
    head, _, rest_of_path = product.partition(".")
    known = {f.get("relationshipName") for f in fields} if rest_of_path else {f.get("name") for f in fields}
    if head in known:
        return CheckLine(True, f"Product comes from Case.{product}")
    guesses = ", ".join(f["name"] for f in fields if "product" in f.get("name", "").lower()) or "none"
    return CheckLine(
        False,
        f"Product field {product} does not exist on Case: set SALESFORCE_PRODUCT_FIELD",
        f"fields that look like a product: {guesses}",
    )


def _knowledge(rest: SalesforceRest, obj: str, body: str) -> CheckLine:
    described = describe(rest, obj)
    if described is None:
        return CheckLine(
            False,
            f"Knowledge ({obj}) is not available: knowledge drafts cannot be exported",
            "enable Lightning Knowledge, or set SALESFORCE_KNOWLEDGE_OBJECT",
        )
    fields = described.get("fields", [])
    if body not in {f.get("name") for f in fields}:
        rich = ", ".join(f["name"] for f in fields if f.get("extraTypeInfo") == "richtextarea") or "none"
        return CheckLine(
            False,
            f"Knowledge body field {body} does not exist on {obj}: set SALESFORCE_KNOWLEDGE_BODY_FIELD",
            f"rich text fields there: {rich}",
        )
    if not described.get("createable"):
        return CheckLine(False, f"The integration user cannot create {obj}", "grant Create on Knowledge")
    return CheckLine(True, f"Knowledge drafts go to {obj}.{body}")


def describe(rest: SalesforceRest, sobject: str) -> dict[str, Any] | None:
    """The object's describe, or None when the org has no such object."""
    try:
        return rest.request("GET", f"sobjects/{sobject}/describe")
    except SalesforceApiError as exc:
        if exc.status == 404:
            return None
        raise
