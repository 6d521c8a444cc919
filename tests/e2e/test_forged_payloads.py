"""Whatever a person without the right types after /swarm, and whatever value or view state a forged (but
signed) action or view submission carries, the app answers in words: never a 5xx, never a traceback or
exception text in anything it shows, no error logged as unexpected, and nothing changed that needs a right.

Property tests (hypothesis) through the real Bolt app over HTTP and the Slack stand-in."""

from __future__ import annotations

import enum
import hashlib
import importlib
import inspect
import json
import logging
import pkgutil

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

import bot.views
from bot.views.existing_work import OfferAction

pytestmark = pytest.mark.parametrize("swarm_app", [{"SWARM_OPENER_USER_IDS": "U0DANA0001"}], indirect=True)

EXCEPTION_TEXT = ("Traceback", "Exception", "Error(", "Error:", "sqlalchemy", "psycopg", 'File "', "out of range",
                  "RecursionError", "KeyError", "TypeError", "ValueError", "AttributeError")
WORKSPACE_SETTINGS = "SELECT team_id, swarm_mode, swarm_mode_set_by, swarm_mode_set_at FROM slack_workspaces"
GUARDED = ("SELECT * FROM swarms", "SELECT * FROM swarm_members", "SELECT * FROM expert_suggestions",
           "SELECT * FROM knowledge_drafts", "SELECT * FROM note_marks", "SELECT * FROM notes", "SELECT * FROM outbox",
           "SELECT * FROM cases", WORKSPACE_SETTINGS)
# Anyone may join an open swarm with /swarm <case> (a member, a note saying so): only opening, closing and
# changing swarms, cases, drafts and invitations need a right.
GUARDED_FROM_COMMANDS = ("SELECT id, status, case_key, channel_id, closed_at, archive_due_at FROM swarms",
                         "SELECT * FROM cases", "SELECT * FROM knowledge_drafts", "SELECT * FROM expert_suggestions",
                         WORKSPACE_SETTINGS)
EXAMPLES = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def ids_of(suffix: str) -> list[str]:
    """Every action (or callback, block) id the views declare: StrEnums named …Action, …Callback, …Block."""
    found: set[str] = set()
    for info in pkgutil.iter_modules(bot.views.__path__):
        module = importlib.import_module(f"bot.views.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, enum.StrEnum) and name.endswith(suffix) and cls.__module__ == module.__name__:
                found.update(member.value for member in cls)
    return sorted(found)


ACTIONS, CALLBACKS, BLOCKS = ids_of("Action"), ids_of("Callback"), ids_of("Block")
values = st.one_of(
    st.text(max_size=60),
    st.recursive(st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.sampled_from(["d", "s", "o", "u", "c", "t", "n", "p", "x", "f", "ts", "days"]),
                                   inner, max_size=4), max_leaves=8).map(json.dumps),
    st.sampled_from(['{"d": 99999999999999999999}', "[" * 3000 + "]" * 3000, '{"s": 1}', '{"o": 1, "n": "x"}',
                     '{"s": 1, "u": ["U0OLAF0001"]}', '{"d": 1, "p": {"title": 1}}', '{"days": 30}', "1", "30",
                     '{"c": "C0AAA", "ts": "1.2"}']),
)
slack_text = st.one_of(
    st.text(max_size=200),
    st.tuples(st.sampled_from(["", "status", "sync retry", "experts", "invite", "stats", "close", "catchup", "help",
                               "00001026", "00001027", "00000999", "join",
                               "settings mode"]),
              st.text(max_size=80)).map(" ".join),
    st.integers(-(2**80), 2**80).map(str),
)


def fingerprint(sessions, queries: tuple[str, ...]) -> str:
    """The rows a person without the right must never change."""
    digest = hashlib.sha256()
    with sessions() as session:
        for query in queries:
            digest.update(repr(session.execute(text(f"{query} ORDER BY 1")).all()).encode())
    return digest.hexdigest()


def shown_since(app, calls_before: int, responses_before: int, result) -> list[str]:
    """Every string the app sent to Slack (messages, ephemerals, views, response URLs, the ack's body)."""
    shown: list[str] = [result.body or ""]

    def walk(node) -> None:
        if isinstance(node, str):
            shown.append(node)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(app.standin.calls()[calls_before:])
    walk(app.standin.responses()[responses_before:])
    return shown


class Check:
    """Before and after one forged request: the answer, what the app showed, what it logged, what changed."""

    def __init__(self, app, sessions, caplog, guarded: tuple[str, ...] = GUARDED) -> None:
        self.app, self.sessions, self.caplog, self.guarded = app, sessions, caplog, guarded

    def __enter__(self) -> Check:
        self.caplog.clear()
        self.calls, self.responses = len(self.app.standin.calls()), len(self.app.standin.responses())
        self.before = fingerprint(self.sessions, self.guarded)
        return self

    def verify(self, result) -> None:
        self.app.settle()
        assert result.status is not None and result.status < 500, result
        leaked = [s for s in shown_since(self.app, self.calls, self.responses, result)
                  if any(marker in s for marker in EXCEPTION_TEXT)]
        assert leaked == []
        unexpected = [r.getMessage() for r in self.caplog.records if r.levelno >= logging.ERROR]
        assert unexpected == []
        assert fingerprint(self.sessions, self.guarded) == self.before, "a person without the right changed something"

    def __exit__(self, *exc) -> None:
        return None


@pytest.fixture
def world(swarm_app):
    """An open swarm for 00001026, opened by the agent; the outsider is in none and has no right."""
    swarm_app.swarm("00001026")
    channel = next(c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-00001026"))
    card_ts = swarm_app.workspace.messages(channel.id)[0]["ts"]
    return swarm_app, channel.id, card_ts


@EXAMPLES
@given(typed=slack_text)
def test_whatever_someone_without_the_right_types_after_swarm_is_answered_and_opens_nothing(world, sessions, caplog,
                                                                                          typed):
    app, _, _ = world
    with Check(app, sessions, caplog, GUARDED_FROM_COMMANDS) as check:
        result = app.driver.command("/swarm", typed, user=app.people.outsider, channel=app.workspace.general_id)
        check.verify(result)


@EXAMPLES
@given(action_id=st.sampled_from(ACTIONS), value=values)
def test_a_forged_action_value_is_answered_and_changes_nothing(world, sessions, caplog, action_id, value):
    app, channel, card_ts = world
    selected = {"type": "static_select", "selected_option": {"value": value[:150]}} if "period" in action_id else {}
    # "Join that swarm" is /swarm <case> by a click: anyone may join an open swarm of their workspace that way.
    guarded = GUARDED_FROM_COMMANDS if action_id == OfferAction.JOIN else GUARDED
    with Check(app, sessions, caplog, guarded) as check:
        result = app.driver.block_action(action_id, user=app.people.outsider, channel=channel, message_ts=card_ts,
                                         value=value, action=selected or None)
        check.verify(result)


@EXAMPLES
@given(callback=st.sampled_from(CALLBACKS), metadata=values,
       state=st.dictionaries(st.sampled_from(BLOCKS), st.dictionaries(
           st.sampled_from(ACTIONS), st.fixed_dictionaries({"type": st.sampled_from(["plain_text_input", "static_select",
                                                                                    "multi_users_select"]),
                                                            "value": st.text(max_size=40),
                                                            "selected_option": st.fixed_dictionaries(
                                                                {"value": st.text(max_size=12)}),
                                                            "selected_users": st.lists(st.text(max_size=12),
                                                                                       max_size=3)}),
           max_size=2), max_size=3))
@example(callback="knowledge.edit_view", metadata='{"d":1,"p":{"title":1}}', state={})  # found: a 500-like log
def test_a_forged_view_submission_is_answered_and_changes_nothing(world, sessions, caplog, callback, metadata, state):
    app, _, _ = world
    ws, driver, user = app.workspace, app.driver, app.people.outsider
    view = {"id": ws.new_id("V"), "team_id": ws.team_id, "type": "modal", "callback_id": callback,
            "private_metadata": metadata, "state": {"values": state}, "hash": "1.forged", "blocks": [],
            "title": {"type": "plain_text", "text": "forged"}, "app_id": ws.app_id}
    view["root_view_id"] = view["id"]
    payload = {"type": "view_submission", "team": driver._team(), "user": driver._user(user), "api_app_id": ws.app_id,
               "token": driver.verification_token, "trigger_id": ws.new_trigger(user), "view": view,
               "response_urls": [], "is_enterprise_install": False, "enterprise": None}
    with Check(app, sessions, caplog) as check:
        check.verify(driver.send_payload(payload))
