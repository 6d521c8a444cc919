"""Builders for swarm transcripts, shared by the knowledge_export tests."""

from __future__ import annotations

from knowledge_export.models import SourceCase, SwarmMessage, SwarmTranscript

CASE = SourceCase(
    key="5005g00000AbCdEAAV",
    number="00001026",
    subject="RE: [Acme] Customer reports checkout fails with error 500 for EU customers",
    description="Since release 2.4.1 checkout returns HTTP 500 for EU shoppers. Reported by mina.park@example.com.",
    product="Shop Cloud",
    account="Acme GmbH",
    contact_name="Mina Park",
    url="https://example.my.salesforce.com/lightning/r/Case/5005g00000AbCdEAAV/view",
)


def msg(n: int, text: str, *, author: str = "U1", name: str = "", marks=(), bot: bool = False) -> SwarmMessage:
    names = {"U1": "Dana Agent", "U2": "Lee Dev", "U3": "Sam Ops", "B1": "casebot"}
    return SwarmMessage(
        ts=f"{1700000000 + n}.{n % 1000:06d}",
        author_id=author,
        author_name=name or names.get(author, author),
        text=text,
        is_bot=bot,
        marks=frozenset(m.value if hasattr(m, "value") else m for m in marks),
    )


def transcript(*messages: SwarmMessage, case: SourceCase = CASE, **fields) -> SwarmTranscript:
    return SwarmTranscript(case=case, messages=tuple(messages), owner_id=fields.pop("owner_id", "U1"), **fields)
