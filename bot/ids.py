"""Action, callback and block ids: one StrEnum per feature, never a bare string in a listener."""

from __future__ import annotations

import enum


class CaseCardAction(enum.StrEnum):
    OPEN_CASE = "case_card.open_case"
    CATCH_UP = "case_card.catch_up"  # a thread swarm's card: slash commands do not work in threads


class CaseCardBlock(enum.StrEnum):
    HEADER = "case_card.header"
    FIELDS = "case_card.fields"
    DESCRIPTION = "case_card.description"
    ACTIONS = "case_card.actions"
    THREAD_HINT = "case_card.thread_hint"
    CLOSED = "case_card.closed"
