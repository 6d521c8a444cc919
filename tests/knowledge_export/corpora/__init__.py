"""Redaction corpora: planted personal data and secrets (must all go) and ordinary support text (should stay).

`leak_report()` and `over_redaction_report()` are shared by the tests and `bench/draft.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge_export.redaction import redact
from tests.knowledge_export.corpora.ordinary import ORDINARY
from tests.knowledge_export.corpora.planted import PLANTED, Planted


@dataclass(frozen=True)
class Report:
    total: int
    failures: list[tuple[str, str]]  # (input, output)

    @property
    def rate(self) -> float:
        return len(self.failures) / self.total if self.total else 0.0


def leaked(item: Planted, output: str) -> bool:
    """The value, its compact form, or (for secrets) any 8 characters in a row of it, still in the output."""
    if item.value in output:
        return True
    compact = re.sub(r"[\s().-]", "", item.value)
    if len(compact) >= 6 and compact in re.sub(r"[\s().-]", "", output):
        return True
    if item.kind == "secret":
        body = re.sub(r"-----(?:BEGIN|END)[A-Z ]+-----|\s", "", item.value)
        return any(body[i : i + 8] in output for i in range(0, max(len(body) - 7, 0)))
    return False


def leak_report() -> Report:
    failures = []
    for item in PLANTED:
        output = redact(item.text, names=item.names).text
        if leaked(item, output):
            failures.append((item.text, output))
    return Report(len(PLANTED), failures)


def over_redaction_report() -> Report:
    failures = []
    for sentence in ORDINARY:
        result = redact(sentence, names=("Mina Park", "Acme GmbH", "김민지"))
        if result.redactions:
            failures.append((sentence, result.text))
    return Report(len(ORDINARY), failures)
