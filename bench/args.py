"""Argument types shared by the benchmarks: a bad number is one argparse error line, not a traceback."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{value} must be {least} or more")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0)


def positive_int_list(text: str) -> list[int]:
    """`1000,10000`: one or more whole numbers of at least 1."""
    return [positive_int(part.strip()) for part in text.split(",")]


def choice_list(choices: Iterable[str]) -> Callable[[str], list[str]]:
    """`1k,10k`: one or more of `choices`."""
    allowed = list(choices)

    def parse(text: str) -> list[str]:
        parts = [part.strip() for part in text.split(",")]
        unknown = [p for p in parts if p not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
        return parts

    return parse
