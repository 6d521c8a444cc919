"""The redaction corpora in tests/data, and their leak and over-redaction reports, by kind.

`redaction_planted.jsonl` holds personal data and secrets planted in support sentences (every one must
go); `redaction_ordinary.txt` holds ordinary support lines by category (each should come through
untouched). The reports are shared by the tests and `bench/draft.py`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_export.redaction import redact

DATA = Path(__file__).resolve().parents[2] / "data"
# The case and the swarm the ordinary lines are redacted for: names whose parts are ordinary words.
ORDINARY_NAMES = ("Grace Field", "Blue River Energy", "김민지", "박하늘")
ORDINARY_PEOPLE = ("Dana Agent", "한지우")


@dataclass(frozen=True)
class Planted:
    kind: str
    value: str
    text: str
    names: tuple[str, ...] = ()
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ordinary:
    category: str
    text: str


def planted() -> list[Planted]:
    with (DATA / "redaction_planted.jsonl").open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [Planted(r["kind"], r["value"], r["text"], tuple(r.get("names", ())), tuple(r.get("people", ())))
            for r in rows]


def ordinary() -> list[Ordinary]:
    category, lines = "", []
    for line in (DATA / "redaction_ordinary.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            category = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            lines.append(Ordinary(category, line))
    return lines


@dataclass(frozen=True)
class Report:
    total: int
    failures: list[tuple[str, str, str]]  # (kind, input, output)
    totals: dict[str, int] = field(default_factory=dict)  # items per kind (leaks) or per category (ordinary)
    hit_by: Counter[str] = field(default_factory=Counter)  # ordinary lines touched, by the kind that touched them

    @property
    def rate(self) -> float:
        return len(self.failures) / self.total if self.total else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind (or category) -> (failures, items)."""
        failed = Counter(kind for kind, _, _ in self.failures)
        return {kind: (failed[kind], total) for kind, total in sorted(self.totals.items())}


def leaked(item: Planted, output: str) -> bool:
    """The value, its compact form, or (for secrets) any 8 characters in a row of it, still in the output."""
    if item.value in output or (item.kind == "name" and item.value.casefold() in output.casefold()):
        return True
    compact = re.sub(r"[\s().-]", "", item.value)
    if len(compact) >= 6 and compact in re.sub(r"[\s().-]", "", output):
        return True
    if item.kind == "card":  # read out in pieces: any 8 of its digits in a row is a leak
        digits = re.sub(r"\D", "", item.value)
        return any(digits[i : i + 8] in re.sub(r"\D", "", output) for i in range(len(digits) - 7))
    if item.kind == "secret":
        body = re.sub(r"-----(?:BEGIN|END)[A-Z ]+-----|\s", "", item.value)
        return any(body[i : i + 8] in output for i in range(0, max(len(body) - 7, 0)))
    return False


def leak_report() -> Report:
    items = planted()
    failures = []
    for item in items:
        output = redact(item.text, names=item.names, people=item.people).text
        if leaked(item, output):
            failures.append((item.kind, item.text, output))
    return Report(len(items), failures, dict(Counter(item.kind for item in items)))


def over_redaction_report() -> Report:
    lines = ordinary()
    failures, hit_by = [], Counter()
    for line in lines:
        result = redact(line.text, names=ORDINARY_NAMES, people=ORDINARY_PEOPLE)
        if result.redactions:
            failures.append((line.category, line.text, result.text))
            hit_by.update({r.kind for r in result.redactions})
    return Report(len(lines), failures, dict(Counter(line.category for line in lines)), hit_by)
