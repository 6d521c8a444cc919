"""The labelled swarm threads (tests/data/swarm_threads.toml) and how a draft of each is judged.

A thread is drafted by the app's own `draft_article`, twice: as captured, with its marks and closing
summary, and with both taken away (what the unmarked heuristics face). A section is right when it holds
every expected phrase and none of the phrases of false starts, quoted errors or release notes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_export.drafting import draft_article
from knowledge_export.models import ArticleDraft, SourceCase, SwarmMessage, SwarmTranscript

THREADS = Path(__file__).resolve().parents[1] / "data" / "swarm_threads.toml"
NAMES = {"dana": "Dana Agent", "jiwoo": "김지우", "minho": "이민호", "seoyeon": "박서연", "sam": "Sam Field",
         "priya": "Priya Raman", "alex": "Alex Moreau", "mira": "Mira Manager"}


@dataclass(frozen=True)
class Thread:
    id: str
    lang: str
    subject: str
    description: str
    summary: str
    cause: tuple[str, ...]
    resolution: tuple[str, ...]
    not_cause: tuple[str, ...]
    not_resolution: tuple[str, ...]
    messages: tuple[tuple[str, ...], ...]
    set: str = "tuning"  # "holdout": written after the heuristics were tuned, never used to tune them

    def transcript(self, *, marked: bool) -> SwarmTranscript:
        case = SourceCase(key=f"key-{self.id}", number=self.id, subject=self.subject, description=self.description,
                          contact_name="Mina Park", account="Hanbit Energy")
        messages = tuple(
            SwarmMessage(ts=f"{1700000000 + n}.000100", author_id=f"U{row[0].upper()}", author_name=NAMES[row[0]],
                         text=row[1], marks=frozenset(row[2:]) if marked else frozenset())
            for n, row in enumerate(self.messages)
        )
        return SwarmTranscript(case=case, messages=messages, owner_id="UDANA",
                               closing_summary=self.summary if marked else "")


@dataclass
class Verdict:
    thread: str
    marked: bool
    cause: bool
    resolution: bool
    language: bool
    draft: ArticleDraft = field(repr=False)


def load_threads(path: Path = THREADS) -> list[Thread]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Thread(id=t["id"], lang=t["lang"], subject=t["subject"], description=t["description"],
                   summary=t.get("summary", ""), cause=tuple(t["cause"]), resolution=tuple(t["resolution"]),
                   not_cause=tuple(t.get("not_cause", ())), not_resolution=tuple(t.get("not_resolution", ())),
                   messages=tuple(tuple(m) for m in t["messages"]), set=t.get("set", "tuning"))
            for t in data["thread"]]


def _right(text: str, wanted: tuple[str, ...], unwanted: tuple[str, ...]) -> bool:
    folded = text.casefold()
    return bool(text) and all(p.casefold() in folded for p in wanted) and not any(
        p.casefold() in folded for p in unwanted)


def judge(thread: Thread, *, marked: bool) -> Verdict:
    draft = draft_article(thread.transcript(marked=marked))
    resolution = "\n".join([draft.resolution, *draft.steps])
    return Verdict(thread.id, marked, _right(draft.cause, thread.cause, thread.not_cause),
                   _right(resolution, thread.resolution, thread.not_resolution), draft.language == thread.lang, draft)


def section_accuracy(threads: list[Thread] | None = None) -> dict[str, dict[str, float | int | list[str]]]:
    """Per reading (marked, unmarked; all threads, and the held-out ones apart): threads, and the share with
    the cause, the resolution and the language right, with the ids of the threads that missed."""
    threads = threads if threads is not None else load_threads()
    report: dict[str, dict[str, float | int | list[str]]] = {}
    readings = [("marked", True, threads), ("unmarked", False, threads),
                ("unmarked_holdout", False, [t for t in threads if t.set == "holdout"])]
    for name, marked, chosen in readings:
        if not chosen:
            continue
        verdicts = [judge(thread, marked=marked) for thread in chosen]
        count = len(verdicts)
        report[name] = {
            "threads": count,
            "cause": round(sum(v.cause for v in verdicts) / count, 4),
            "resolution": round(sum(v.resolution for v in verdicts) / count, 4),
            "language": round(sum(v.language for v in verdicts) / count, 4),
            "missed_cause": [v.thread for v in verdicts if not v.cause],
            "missed_resolution": [v.thread for v in verdicts if not v.resolution],
            "missed_language": [v.thread for v in verdicts if not v.language],
        }
    return report
