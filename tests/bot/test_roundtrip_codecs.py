"""Every value that makes a Slack round trip reads back through one bounded codec: whatever a forger sends,
it is either a value we could have written (ids within the database's integer, texts within their columns)
or RoundTripRefused, never another exception."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.views
from bot.views.experts import AnswerValue, DeclineState, InviteValue
from bot.views.home import DownloadRequest
from bot.views.knowledge import CloseState, DraftRef, EditState
from bot.views.note_sync import AddToCaseState
from bot.views.roundtrip import DB_ID, DB_INT_MAX, RoundTrip, RoundTripRefused, Text, nesting_depth
from bot.views.swarm_from_message import FromMessageState

CODECS = [DraftRef, CloseState, EditState, InviteValue, AnswerValue, DeclineState, AddToCaseState, FromMessageState,
          DownloadRequest]
KEYS = ["d", "s", "o", "u", "c", "t", "n", "p", "x", "f", "ts", "th", "r", "a", "days", "name", "permalink", "title"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**80), 2**80) | st.floats() | st.text(max_size=40)
    | st.sampled_from(["C0SWARM1", "U0EXPERT1", "1700000001.000100", "title", "https://x.example/p"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=3), inner,
                                                               max_size=5),
    max_leaves=12,
)
forged = st.one_of(
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.text(max_size=200),
    st.integers(0, 6000).map(lambda n: "[" * n + "]" * n),
    st.integers(0, 3000).map(lambda n: '{"d":' * n + "1" + "}" * n),
    st.sampled_from(['{"d": 99999999999999999999}', '{"s": -1}', '{"o": 1e400}', '{"d": NaN}', '{"d": true}',
                     '{"days": 30.0}', '{"s": 2147483648}', "", "null", '"x"', "\ud800"]),
    st.none(), st.integers(),
)


def test_every_round_trip_model_in_the_views_uses_the_one_codec():
    """A new button value or private_metadata model must come through RoundTrip, or this fails."""
    found = []
    for module_info in pkgutil.iter_modules(bot.views.__path__):
        if module_info.name == "roundtrip":
            continue  # the codec itself (its field checks parse too)
        module = importlib.import_module(f"bot.views.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and any(hasattr(cls, name) for name in ("loads", "parse")):
                found.append(cls)
    assert found and all(issubclass(cls, RoundTrip) for cls in found), [c for c in found if not issubclass(c, RoundTrip)]
    assert set(found) >= set(CODECS)


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: c.__name__)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=forged)
def test_a_forged_value_reads_back_as_a_value_we_could_have_written_or_is_refused(codec, raw):
    try:
        value = codec.loads(raw)
    except RoundTripRefused:
        return
    for f in fields(value):
        check, got = f.metadata["check"], getattr(value, f.name)
        if check is DB_ID:
            assert 1 <= got <= DB_INT_MAX
        if isinstance(check, Text):
            assert isinstance(got, str) and len(got) <= check.most
    assert codec.loads(value.dumps()) == value


@pytest.mark.parametrize("raw", ['{"d": 99999999999999999999}', "[" * 3000 + "]" * 3000, '{"d": -5}', '{"d": "7"}'])
def test_the_values_of_the_issue_are_refused_by_name(raw):
    with pytest.raises(RoundTripRefused):
        DraftRef.loads(raw)


def test_nesting_is_counted_outside_strings_only():
    assert nesting_depth('{"a": "[[[[[[[[", "b": [1, {"c": 2}]}') == 3
    assert nesting_depth('"\\"[[[["') == 0


def test_a_value_that_does_not_fit_slack_keeps_what_can_be_read_again_elsewhere():
    state = FromMessageState("C0SWARM1", "1700000001.000100", text="인버터 " * 1000, response_url="https://x.example/r")
    assert FromMessageState.loads(state.dumps()).text is None  # left out whole, read again from Slack: never cut
    big = AddToCaseState("C0SWARM1", "1700000001.000100", text="x" * 2990, files=({"name": "a", "permalink": "b"},))
    back = AddToCaseState.loads(big.dumps())
    assert (back.text, back.files) == (None, ())
    with pytest.raises(RoundTripRefused):
        EditState(1, tuple((f"s{i}", 1) for i in range(1000))).dumps()
