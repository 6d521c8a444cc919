"""How `/swarm` text is read: case numbers however they are typed, everything else as a subcommand."""

from __future__ import annotations

import pytest

from bot.listeners.commands import parse_swarm_command

KNOWN = {"experts", "invite", "close", "status"}


@pytest.mark.parametrize(
    ("text", "word", "args"),
    [
        ("00001026", "open", ("00001026",)),
        ("#00001026", "open", ("00001026",)),
        ("  00001026  ", "open", ("00001026",)),
        ("０００01026", "open", ("00001026",)),  # full-width digits from a Korean or Japanese IME
        ("", "help", ()),
        ("도움말", "help", ()),
        ("Close Fixed by firmware 3.2.1", "close", ("Fixed", "by", "firmware", "3.2.1")),
        ("12 34", "bad_case", ("12", "34")),
        ("1" * 70, "bad_case", ("1" * 70,)),
        ("frobnicate now", "unknown", ("frobnicate", "now")),
    ],
)
def test_swarm_text_is_read_as_people_type_it(text, word, args):
    command = parse_swarm_command(text, KNOWN)
    assert (command.word, command.args) == (word, args)
