"""Who a Slack user is (name, e-mail, locale, timezone), from users.info, cached in the database.

Slack rates users.info at tier 4; a swarm touches the same few people again and again, so a cached
answer younger than a day is good enough (a locale or a name rarely changes mid-case).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import sessionmaker

from bot.i18n.catalog import language_for_locale
from bot.slack.clients import SlackClients
from swarms.db import utcnow
from swarms.models import SlackUser
from swarms.upsert import upsert

log = logging.getLogger(__name__)
CACHE_FOR = timedelta(days=1)
MEMORY_TTL = 300.0  # seconds a person is also kept in this process, in front of the database cache
MEMORY_MAX = 10_000


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    real_name: str = ""
    email: str = ""
    locale: str = ""
    tz: str = ""
    is_bot: bool = False
    deleted: bool = False
    known: bool = True  # False: Slack does not know this id (user_not_found)

    @property
    def display_name(self) -> str:
        return self.real_name or self.name or self.id


class People:
    """A person is asked of Slack in their own workspace (`team_id`); the cache is by user id, which Slack
    gives one person only."""

    def __init__(self, slack: SlackClients, sessions: sessionmaker, *, default_language: str = "en") -> None:
        self._slack = slack
        self._sessions = sessions
        self.default_language = default_language
        self._memory: dict[str, tuple[Person, float]] = {}
        self._memory_lock = threading.Lock()

    def get(self, team_id: str, user_id: str, *, fresh: bool = False) -> Person:
        if not fresh:
            cached = self._cached(user_id)
            if cached is not None:
                return cached
        try:
            answer = self._slack.for_team(team_id).users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            if exc.response.get("error") == "user_not_found":
                return Person(user_id, user_id, known=False, deleted=True)
            log.warning("users.info %s failed: %s", user_id, exc.response.get("error"))
            return self._cached(user_id, any_age=True) or Person(user_id, user_id, known=False)
        return self._store(answer["user"])

    def language_of(self, team_id: str, user_id: str) -> str:
        return language_for_locale(self.get(team_id, user_id).locale, self.default_language)

    def cached_language_of(self, user_id: str, *, unknown: str | None = None) -> str:
        """The language without calling Slack: for acks, which must answer within 3 seconds.

        `unknown`: what to answer for someone not cached yet (`catalog.BOTH` writes in every language);
        the team's default language when not given."""
        cached = self._cached(user_id, any_age=True)
        if cached is None and unknown is not None:
            return unknown
        return language_for_locale(cached.locale if cached else "", self.default_language)

    def forget(self, user_id: str | None = None) -> None:
        """Drop the in-process copy of one person (None: everyone); the database cache stays."""
        with self._memory_lock:
            if user_id is None:
                self._memory.clear()
            else:
                self._memory.pop(user_id, None)

    def _cached(self, user_id: str, *, any_age: bool = False) -> Person | None:
        entry = self._memory.get(user_id)
        if entry is not None and entry[1] >= time.monotonic():
            return entry[0]
        with self._sessions() as session:
            row = session.get(SlackUser, user_id)
            if row is None:
                return None
            fresh_for = CACHE_FOR - (utcnow() - row.fetched_at)
            if not any_age and fresh_for.total_seconds() <= 0:
                return None
            person = Person(row.id, row.name, row.real_name, row.email, row.locale, row.tz, row.is_bot,
                            row.deleted)
        if fresh_for.total_seconds() > 0:
            self._remember(person, min(MEMORY_TTL, fresh_for.total_seconds()))
        return person

    def _remember(self, person: Person, ttl: float = MEMORY_TTL) -> None:
        with self._memory_lock:
            if len(self._memory) >= MEMORY_MAX:
                self._memory.clear()
            self._memory[person.id] = (person, time.monotonic() + ttl)

    def _store(self, user: dict) -> Person:
        profile = user.get("profile") or {}
        person = Person(  # clipped to the cache's columns: a long display name must not fail the event
            id=str(user["id"])[:32],
            name=str(user.get("name") or "")[:255],
            real_name=str(user.get("real_name") or profile.get("real_name") or "")[:255],
            email=str(profile.get("email") or "")[:255],
            locale=str(user.get("locale") or "")[:16],
            tz=str(user.get("tz") or "")[:64],
            is_bot=bool(user.get("is_bot")),
            deleted=bool(user.get("deleted")),
        )
        with self._sessions.begin() as session:  # two replicas meeting someone new at once: one row, no error
            upsert(session, SlackUser.__table__, {
                "id": person.id, "name": person.name, "real_name": person.real_name, "email": person.email,
                "locale": person.locale, "tz": person.tz, "is_bot": person.is_bot, "deleted": person.deleted,
                "fetched_at": utcnow(),
            }, key=["id"])
        self._remember(person)
        return person
