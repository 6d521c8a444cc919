from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from swarms.case_systems.base import NoteKind, NoteToWrite
from swarms.case_systems.note_text import (
    byte_size,
    find_markers,
    fold,
    has_marker,
    header_line,
    marker_line,
    retracted_line,
    split_note,
    split_text,
)

KOREAN = "인버터가 펌웨어 업데이트 후 매시간 재시작됩니다 "  # 3 bytes a Hangul syllable in UTF-8


def test_a_short_note_is_one_body_with_header_text_and_marker():
    [body] = split_note("Mina Park (Slack, 2026-11-21 16:05 UTC):", "roll back to 3.1.4", "k1", 4000)
    assert body == "Mina Park (Slack, 2026-11-21 16:05 UTC):\nroll back to 3.1.4\n[case-swarm:k1]"


def test_korean_text_is_split_by_bytes_without_breaking_a_character():
    text = KOREAN * 400  # about 26,000 bytes
    bodies = split_note("민아 박 (Slack, 2026-11-21 16:05 UTC):", text, "key-7", 4000, "bytes")
    assert len(bodies) > 6
    for number, body in enumerate(bodies, start=1):
        assert byte_size(body) <= 4000
        body.encode("utf-8").decode("utf-8")  # a broken character would not survive the round trip
        assert body.startswith(f"({number}/{len(bodies)}) 민아 박")
        assert body.endswith(f"[case-swarm:key-7 {number}/{len(bodies)}]")
    rejoined = " ".join(body.split("\n")[1] for body in bodies)
    assert rejoined.split() == text.split()


def test_splitting_prefers_whitespace_and_cuts_hard_only_when_there_is_none():
    assert split_text("alpha beta gamma delta", 12, "chars") == ["alpha beta", "gamma delta"]
    assert split_text("x" * 25, 10, "chars") == ["x" * 10, "x" * 10, "x" * 5]


def test_feed_item_bodies_are_split_by_characters():
    bodies = split_note("Dana (Slack, 2026-11-21 16:05 UTC):", "word " * 5000, "k", 10000, "chars")
    assert len(bodies) == 3
    assert all(len(body) <= 10000 for body in bodies)
    assert bodies[2].startswith("(3/3) ")


def test_numbering_grows_when_there_are_ten_parts_or_more():
    bodies = split_note("A:", "abcdefghij " * 300, "k", 200, "chars")
    assert len(bodies) >= 10
    assert all(len(body) <= 200 for body in bodies)
    assert bodies[-1].endswith(f" {len(bodies)}/{len(bodies)}]")


def test_markers_are_read_back_with_their_part_even_from_folded_comments():
    text = fold(["a\n" + marker_line("k1"), "b\n" + marker_line("k2", 2, 3)])
    found = find_markers(text)
    assert [(m.key, m.part, m.parts) for m in found] == [("k1", 1, 1), ("k2", 2, 3)]
    assert has_marker(text) and not has_marker("plain customer reply")


def test_a_key_with_spaces_still_makes_a_readable_marker():
    assert find_markers(marker_line("slack C1 1700000000.0001"))[0].key == "slack_C1_1700000000.0001"


def test_headers_say_who_and_when_in_utc():
    seoul = timezone(timedelta(hours=9))
    note = NoteToWrite("k", "500", "Mina Park", "text", datetime(2026, 11, 22, 1, 5, tzinfo=seoul))
    assert header_line(note) == "Mina Park (Slack, 2026-11-21 16:05 UTC):"
    edited = NoteToWrite("k", "500", "Mina Park", "t", datetime(2026, 11, 21, 16, 9, tzinfo=UTC), NoteKind.EDIT)
    assert header_line(edited) == "Mina Park (Slack, edited 2026-11-21 16:09 UTC):"
    assert retracted_line(edited) == "[retracted in Slack at 2026-11-21 16:09 UTC by Mina Park]"
