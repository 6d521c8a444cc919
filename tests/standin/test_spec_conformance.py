"""The stand-in against Slack's own spec: success answers have the keys and types the spec requires, and every
error code it answers is one the spec lists for that method, apart from the documented exceptions below.

The spec is the official Web API OpenAPI (2020-10) in ../shared/reference, read at test time, never copied.
What the stand-in relies on is also kept in the project's own table, tests/fixtures/slack/web_api_answers.json
(each method's required keys with their types and id patterns, and the error codes the stand-in answers),
so a clone without ../shared checks the stand-in too; the tests marked "spec" compare that table with the
spec and check the full schemas, and only they need ../shared.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_standin import SlackStandIn
from slack_standin.api import METHODS
from tests.fixtures import REFERENCE_ABSENT, payloads

TOKEN = "xoxb-spec"

# Methods newer than the 2020 spec (Slack documents them on their method pages only).
NOT_IN_SPEC = {"bookmarks.add", "bookmarks.list", "files.getUploadURLExternal", "files.completeUploadExternal"}
# Errors any method can answer, though the 2020 spec lists them for some methods only.
ANY_METHOD = {"invalid_arguments", "missing_scope", "not_authed", "invalid_auth", "ratelimited"}
# Errors Slack's current method pages document and the 2020 spec does not list for that method.
DOCUMENTED_SINCE = {
    "chat.postMessage": {"invalid_blocks"},
    "chat.postEphemeral": {"invalid_blocks", "user_not_found"},
    "chat.update": {"invalid_blocks", "is_archived"},
    "conversations.history": {"not_in_channel", "invalid_cursor", "invalid_limit"},
    "conversations.replies": {"not_in_channel", "invalid_cursor", "invalid_limit"},
    "conversations.info": set(),
    "conversations.list": {"invalid_cursor", "invalid_limit"},
    "users.list": {"invalid_limit"},
    "usergroups.users.list": {"no_such_subteam"},
    "reactions.get": {"channel_not_found"},
    "reactions.add": {"channel_not_found"},
    "pins.add": {"not_in_channel", "is_archived"},
    # The spec has no error enum for views.*; these are the codes on Slack's views.* pages.
    "views.open": {"invalid_trigger_id", "expired_trigger_id", "exchanged_trigger_id"},
    "views.push": {"invalid_trigger_id", "expired_trigger_id", "exchanged_trigger_id", "not_found",
                   "push_limit_reached"},
    "views.update": {"not_found", "hash_conflict"},
    "views.publish": {"hash_conflict", "user_not_found"},
}

# Where the 2020 spec is wrong: chat.update declares `message.blocks` an object; it is an array everywhere else
# in the spec (objs_message) and in every real answer.
SPEC_ERRATA = {"chat.update.message.blocks"}


@pytest.fixture(scope="module")
def spec(request) -> dict[str, Any]:
    reference = request.getfixturevalue("reference")
    return json.loads((reference / "slack" / "openapi" / "web_openapi_v2.json").read_text())


@pytest.fixture(scope="module")
def reference():
    from tests.conftest import REFERENCE

    if not REFERENCE.is_dir():
        pytest.skip(REFERENCE_ABSENT)
    return REFERENCE


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    return payloads("slack/web_api_answers.json")


@pytest.fixture(scope="module")
def exercised():
    """Run every method once successfully and a set of failing calls; keep (method, answer) pairs."""
    with SlackStandIn(bot_token=TOKEN) as slack:
        answers = _exercise(slack, WebClient(token=TOKEN, base_url=slack.api_url))
        yield answers, slack.api.errors_answered()


def _call(client: WebClient, method: str, **params: Any) -> dict[str, Any]:
    try:
        return client.api_call(method, params=params).data
    except SlackApiError as error:
        return error.response.data


def _exercise(slack: SlackStandIn, client: WebClient) -> dict[str, dict[str, Any]]:
    ws = slack.workspace
    dana, lee = ws.add_user("dana", email="dana@acme.test"), ws.add_user("lee")
    group = ws.add_usergroup("oncall", [dana])
    ok: dict[str, dict[str, Any]] = {}

    def run(method: str, **params: Any) -> dict[str, Any]:
        ok[method] = _call(client, method, **params)
        assert ok[method]["ok"], (method, ok[method])
        return ok[method]

    run("api.test")
    run("auth.test")
    run("team.info")
    channel = run("conversations.create", name="swarm-spec")["channel"]["id"]
    run("conversations.invite", channel=channel, users=f"{dana},{lee}")
    run("conversations.kick", channel=channel, user=lee)
    run("conversations.join", channel=ws.general_id)
    run("conversations.info", channel=channel)
    run("conversations.members", channel=channel, limit=1)
    run("conversations.list", types="public_channel,private_channel")
    run("conversations.setTopic", channel=channel, topic="Case 00001026")
    run("conversations.setPurpose", channel=channel, purpose="Swarm")
    ts = run("chat.postMessage", channel=channel, text="Swarm opened")["ts"]
    ws.post_message(channel, user=dana, text="reply", thread_ts=ts)
    run("conversations.history", channel=channel)
    run("conversations.replies", channel=channel, ts=ts)
    run("chat.postEphemeral", channel=channel, user=dana, text="only you")
    run("chat.update", channel=channel, ts=ts, text="Swarm open")
    run("chat.getPermalink", channel=channel, message_ts=ts)
    run("reactions.add", channel=channel, timestamp=ts, name="eyes")
    run("reactions.get", channel=channel, timestamp=ts)
    run("reactions.remove", channel=channel, timestamp=ts, name="eyes")
    run("pins.add", channel=channel, timestamp=ts)
    run("bookmarks.add", channel_id=channel, title="Case", type="link", link="https://crm.example/1")
    run("bookmarks.list", channel_id=channel)
    run("users.info", user=dana, include_locale="true")
    run("users.lookupByEmail", email="dana@acme.test")
    run("users.profile.get", user=dana)
    run("users.list", limit=2)
    run("usergroups.users.list", usergroup=group)
    run("conversations.open", users=dana)
    modal = json.dumps({"type": "modal", "title": {"type": "plain_text", "text": "Swarm"}, "blocks": []})
    view_id = run("views.open", trigger_id=ws.new_trigger(dana), view=modal)["view"]["id"]
    run("views.push", trigger_id=ws.new_trigger(dana), view=modal)
    run("views.update", view_id=view_id, view=modal)
    run("views.publish", user_id=dana, view=json.dumps({"type": "home", "blocks": []}))
    file_id = run("files.getUploadURLExternal", filename="a.csv", length=3)["file_id"]
    ws.receive_upload(file_id, b"a,b")
    run("files.completeUploadExternal", files=json.dumps([{"id": file_id}]), channel_id=channel)
    run("chat.delete", channel=channel, ts=run("chat.postMessage", channel=channel, text="x")["ts"])
    archived = run("conversations.create", name="swarm-old")["channel"]["id"]
    run("conversations.archive", channel=archived)
    run("conversations.unarchive", channel=archived)
    _provoke_errors(slack, client, channel, dana, ts)
    return ok


def _provoke_errors(slack: SlackStandIn, client: WebClient, channel: str, dana: str, ts: str) -> None:
    ws = slack.workspace
    private = ws.add_channel("hidden", is_private=True, members=[dana])
    public = ws.add_channel("elsewhere")
    section = json.dumps([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51)
    ws.add_reaction(channel, ts, "eyes", user=ws.bot_user_id)
    for method, params in [
        ("conversations.create", {"name": "swarm-spec"}), ("conversations.create", {"name": "Bad Name"}),
        ("conversations.invite", {"channel": channel, "users": dana}),
        ("conversations.invite", {"channel": channel, "users": ws.bot_user_id}),
        ("conversations.invite", {"channel": channel, "users": "UNOPE"}),
        ("conversations.invite", {"channel": "CNOPE", "users": dana}),
        ("conversations.info", {"channel": private}), ("conversations.history", {"channel": public}),
        ("conversations.archive", {"channel": ws.general_id}), ("conversations.replies", {"channel": channel, "ts": "1.1"}),
        ("chat.postMessage", {"channel": public, "text": "x"}), ("chat.postMessage", {"channel": channel, "blocks": section}),
        ("chat.postMessage", {"channel": channel, "text": "x" * 40_001}), ("chat.postMessage", {"channel": channel}),
        ("chat.update", {"channel": channel, "ts": "1700000000.000001", "text": "x"}),
        ("chat.postEphemeral", {"channel": channel, "user": ws.add_user("outsider"), "text": "x"}),
        ("users.info", {"user": "UNOPE"}), ("users.lookupByEmail", {"email": "no@acme.test"}),
        ("reactions.add", {"channel": channel, "timestamp": ts, "name": "eyes"}),
        ("reactions.remove", {"channel": channel, "timestamp": ts, "name": "tada"}),
        ("pins.add", {"channel": channel, "timestamp": ts}),
        ("views.open", {"trigger_id": "1.2.3", "view": json.dumps({"type": "modal", "blocks": []})}),
        ("usergroups.users.list", {"usergroup": "SNOPE"}),
        ("conversations.members", {"channel": channel, "cursor": "%%%"}),
    ]:
        answer = _call(client, method, **params)
        assert not answer["ok"], (method, params, answer)


def test_every_method_the_standin_answers_was_exercised(exercised):
    ok, _ = exercised
    assert set(METHODS) == set(ok)


@pytest.mark.parametrize("method", sorted(set(METHODS) - NOT_IN_SPEC))
def test_success_answers_have_the_keys_types_and_ids_the_table_requires(table, exercised, method):
    ok, _ = exercised
    assert _table_problems(ok[method], table["answers"][method]) == []


def test_every_error_answered_is_one_the_table_allows(table, exercised):
    _, errors = exercised
    assert len(errors) >= 20
    unexpected = [(method, code) for method, code in sorted(set(errors))
                  if code not in ANY_METHOD | DOCUMENTED_SINCE.get(method, set()) | set(table["errors"].get(method, []))]
    assert unexpected == []


def test_spec_success_answers_have_the_keys_and_types_the_spec_requires(spec, exercised):
    ok, _ = exercised
    problems = []
    for method in sorted(set(METHODS) - NOT_IN_SPEC):
        operation = next(iter(spec["paths"][f"/{method}"].values()))
        problems += _problems(ok[method], operation["responses"]["200"].get("schema", {}), spec["definitions"], method)
    assert problems == []


def test_spec_every_error_answered_is_one_the_spec_lists(spec, exercised):
    _, errors = exercised
    unexpected = [(method, code) for method, code in sorted(set(errors))
                  if code not in ANY_METHOD | DOCUMENTED_SINCE.get(method, set()) | _spec_errors(spec, method)]
    assert unexpected == []


def test_spec_the_projects_table_says_what_the_spec_says(spec, table, exercised):
    """The table is the spec's required keys for each method, and error codes the spec lists for it."""
    assert table["answers"] == {method: _spec_required(spec, method) for method in sorted(set(METHODS) - NOT_IN_SPEC)}
    assert {method: sorted(set(codes) - _spec_errors(spec, method)) for method, codes in table["errors"].items()} \
        == {method: [] for method in table["errors"]}
    _, errors = exercised
    answered = {(m, c) for m, c in errors if m not in NOT_IN_SPEC and c in _spec_errors(spec, m) - ANY_METHOD}
    assert answered == {(m, c) for m, codes in table["errors"].items() for c in codes}, "the table lists what is answered"


def _spec_required(spec: dict[str, Any], method: str) -> dict[str, Any]:
    schema = next(iter(spec["paths"][f"/{method}"].values()))["responses"]["200"].get("schema", {})
    return {path: rule for path, rule in _required(schema, spec["definitions"]).items()
            if f"{method}.{path}" not in SPEC_ERRATA}


def _spec_errors(spec: dict[str, Any], method: str) -> set[str]:
    if method in NOT_IN_SPEC:
        return set()
    operation = next(iter(spec["paths"][f"/{method}"].values()))
    error_schema = operation["responses"].get("default", {}).get("schema", {})
    return set(error_schema.get("properties", {}).get("error", {}).get("enum", []))


def _required(schema: dict[str, Any], definitions: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """{path: {type, pattern}} of every required key a few levels deep (`[]` walks a list's items); where the
    spec offers alternatives, what every alternative requires alike."""
    schema = _resolve(schema, definitions)
    alternatives = schema.get("items") if isinstance(schema.get("items"), list) else schema.get("anyOf") or schema.get("oneOf")
    if depth > 3:
        return {}
    if alternatives:
        each = [_required(alt, definitions, prefix, depth) for alt in alternatives]
        return {path: rule for path, rule in each[0].items() if all(other.get(path) == rule for other in each[1:])}
    if isinstance(schema.get("items"), dict):
        return _required(schema["items"], definitions, f"{prefix}[]", depth + 1)
    found: dict[str, Any] = {}
    for key in schema.get("required", []):
        path = f"{prefix}.{key}" if prefix else key
        sub = _resolve(schema.get("properties", {}).get(key, {}), definitions)
        found[path] = {k: sub[k] for k in ("type", "pattern") if k in sub}
        found |= _required(sub, definitions, path, depth + 1)
    return found


def _table_problems(answer: dict[str, Any], required: dict[str, Any]) -> list[str]:
    """Every required path present with its type and id pattern; `[]` checks each of the first three items."""
    problems = []
    for path, rule in required.items():
        for where, value in _at(answer, path.replace("[]", ".[]").lstrip(".").split("."), path):
            if value is _MISSING:
                problems.append(f"{where}: missing")
            elif "type" in rule and not _type_ok(value, rule["type"]):
                problems.append(f"{where}: {value!r} is not {rule['type']}")
            elif "pattern" in rule and isinstance(value, str) and not re.search(rule["pattern"], value):
                problems.append(f"{where}: {value!r} does not match {rule['pattern']}")
    return problems


_MISSING = object()


def _at(value: Any, steps: list[str], where: str) -> list[tuple[str, Any]]:
    if not steps:
        return [(where, value)]
    step, rest = steps[0], steps[1:]
    if step == "[]":
        return [hit for item in (value if isinstance(value, list) else [])[:3] for hit in _at(item, rest, where)]
    if not isinstance(value, dict):
        return []  # a wrong type above is reported there
    return _at(value[step], rest, where) if step in value else [(where, _MISSING)]


def _resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict, "null": type(None)}


def _type_ok(value: Any, kind: str | list[str]) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    for name in kinds:
        if name == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if name == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if name in _TYPES and isinstance(value, _TYPES[name]):
            return True
    return False


def _problems(value: Any, schema: dict[str, Any], definitions: dict[str, Any], path: str, depth: int = 0) -> list[str]:
    """Required keys, types, enums and id patterns, a few levels deep; `items` as a list means "one of"."""
    if path in SPEC_ERRATA:
        return []
    schema = _resolve(schema, definitions)
    alternatives = schema.get("items") if isinstance(schema.get("items"), list) else schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        found = [_problems(value, alt, definitions, path, depth) for alt in alternatives]
        return [] if any(not f for f in found) else min(found, key=len)
    if depth > 4:
        return []
    if "type" in schema and not _type_ok(value, schema["type"]):
        return [f"{path}: {value!r} is not {schema['type']}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} not in {schema['enum']}"]
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        return [f"{path}: {value!r} does not match {schema['pattern']}"]
    found: list[str] = []
    if isinstance(value, dict):
        found += [f"{path}.{key}: missing" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += _problems(value[key], sub, definitions, f"{path}.{key}", depth + 1)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value[:3]):
            found += _problems(item, schema["items"], definitions, f"{path}[{index}]", depth + 1)
    return found


def test_the_tables_checker_catches_missing_keys_wrong_types_and_bad_ids(table, exercised):
    ok, _ = exercised
    required = table["answers"]["conversations.create"]
    broken = {**ok["conversations.create"], "channel": {**ok["conversations.create"]["channel"], "is_im": "no"}}
    del broken["channel"]["created"]
    assert _table_problems(broken, required) == ["channel.created: missing", "channel.is_im: 'no' is not boolean"]
    posted = table["answers"]["chat.postMessage"]
    assert _table_problems({**ok["chat.postMessage"], "ts": "17.1"}, posted) != []


def test_spec_the_checker_itself_catches_missing_keys_wrong_types_and_bad_ids(spec, exercised):
    ok, _ = exercised
    schema = spec["paths"]["/conversations.create"]["post"]["responses"]["200"]["schema"]
    broken = {**ok["conversations.create"], "channel": {**ok["conversations.create"]["channel"], "is_private": "no"}}
    del broken["channel"]["topic"]
    assert _problems(broken, schema, spec["definitions"], "x") != []
    posted = spec["paths"]["/chat.postMessage"]["post"]["responses"]["200"]["schema"]
    assert _problems({**ok["chat.postMessage"], "ts": "17.1"}, posted, spec["definitions"], "x") != []
