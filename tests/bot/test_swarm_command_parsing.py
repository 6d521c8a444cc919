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


@pytest.mark.parametrize(
    ("text", "word", "args", "place"),
    [
        ("00001026 --thread", "open", ("00001026",), "thread"),
        ("--thread 00001026", "open", ("00001026",), "thread"),
        ("00001026 —thread", "open", ("00001026",), "thread"),  # a phone turns -- into an em dash
        ("00001026 --Channel", "open", ("00001026",), "channel"),
        ("00001026 --스레드", "open", ("00001026",), "thread"),
        ("00001026", "open", ("00001026",), ""),  # SWARM_MODE decides
        ("00001026 --threads", "bad_flag", ("--threads",), ""),
        ("00001026 --thread --channel", "bad_flag", ("--thread", "--channel"), ""),
        ("--thread", "flag_without_case", ("--thread",), ""),
        ("00001026 --help", "help", (), ""),
        ("12 34 --thread", "bad_case", ("12", "34"), ""),
        ("close --thread fixed", "close", ("--thread", "fixed"), ""),  # a subcommand's words are its own
    ],
)
def test_where_to_open_is_read_from_the_flags(text, word, args, place):
    command = parse_swarm_command(text, KNOWN)
    assert (command.word, command.args, command.place) == (word, args, place)
