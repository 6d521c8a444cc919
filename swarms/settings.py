"""Settings from environment variables (and an optional `.env`), checked once at start-up.

Every setting is listed in the README's table. A missing or malformed value stops start-up with one
line naming it; secrets are kept out of `repr` so they never reach a log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
CASE_SYSTEMS = ("local", "salesforce", "zendesk")
LANGUAGES = ("en", "ko")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class SettingsError(Exception):
    """A missing or malformed setting: one clear line naming it and what is expected."""

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"setting {name}: {expected}")
        self.name = name
        self.expected = expected


@dataclass(frozen=True)
class Settings:
    """All the app's settings. Build with `Settings.from_env()`; tests build it directly."""

    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = SLACK_DEFAULT_API_URL
    port: int = 3000
    database_url: str = "sqlite:///case-swarm.sqlite3"
    case_system: str = "local"
    default_language: str = "en"
    case_url_template: str = ""  # local store: link shown on the card, "{number}" filled in
    admin_user_ids: frozenset[str] = frozenset()
    manager_user_ids: frozenset[str] = frozenset()
    manager_usergroup_id: str = ""
    knowledge_editor_user_ids: frozenset[str] = frozenset()
    # Who may run /swarm <case>: empty means every member of the workspace.
    swarm_opener_user_ids: frozenset[str] = frozenset()
    listener_threads: int = 10
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admin_user_ids

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        """Read and check every setting; raise SettingsError on the first bad one."""
        if env is None:
            if dotenv:
                _load_dotenv()
            env = dict(os.environ)
        reader = _Reader(env)
        settings = cls(
            slack_bot_token=reader.token("SLACK_BOT_TOKEN", prefix="xoxb-", required=True),
            slack_signing_secret=reader.text("SLACK_SIGNING_SECRET", required=True),
            slack_app_token=reader.token("SLACK_APP_TOKEN", prefix="xapp-", required=False),
            slack_api_url=reader.url("SLACK_API_URL", SLACK_DEFAULT_API_URL, trailing_slash=True),
            port=reader.integer("PORT", 3000, low=1, high=65535),
            database_url=reader.database_url("DATABASE_URL", "sqlite:///case-swarm.sqlite3"),
            case_system=reader.choice("CASE_SYSTEM", "local", CASE_SYSTEMS),
            default_language=reader.choice("DEFAULT_LANGUAGE", "en", LANGUAGES),
            case_url_template=reader.text("CASE_URL_TEMPLATE", default=""),
            admin_user_ids=reader.user_ids("ADMIN_USER_IDS"),
            manager_user_ids=reader.user_ids("MANAGER_USER_IDS"),
            manager_usergroup_id=reader.text("MANAGER_USERGROUP_ID", default=""),
            knowledge_editor_user_ids=reader.user_ids("KNOWLEDGE_EDITOR_USER_IDS"),
            swarm_opener_user_ids=reader.user_ids("SWARM_OPENER_USER_IDS"),
            listener_threads=reader.integer("LISTENER_THREADS", 10, low=2, high=64),
            env=dict(env),
        )
        return settings


def _load_dotenv() -> None:
    path = Path.cwd() / ".env"
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


class _Reader:
    """Typed reads of one environment mapping, each failing with the setting's name."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def raw(self, name: str) -> str:
        return (self.env.get(name) or "").strip()

    def text(self, name: str, *, default: str = "", required: bool = False) -> str:
        value = self.raw(name)
        if not value and required:
            raise SettingsError(name, "is required and is not set")
        return value or default

    def token(self, name: str, *, prefix: str, required: bool) -> str:
        value = self.text(name, required=required)
        if value and not value.startswith(prefix):
            raise SettingsError(name, f"expected a token starting with {prefix!r}")
        return value

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self.raw(name)
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            raise SettingsError(name, f"expected a whole number, got {value!r}") from None
        if not low <= number <= high:
            raise SettingsError(name, f"expected a number from {low} to {high}, got {number}")
        return number

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.raw(name).lower() or default
        if value not in choices:
            raise SettingsError(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def url(self, name: str, default: str, *, trailing_slash: bool = False) -> str:
        value = self.raw(name) or default
        if not re.match(r"^https?://[^\s/]+", value):
            raise SettingsError(name, f"expected an http(s) URL, got {value!r}")
        if trailing_slash and not value.endswith("/"):
            value += "/"  # slack_sdk joins method names onto base_url, which must end with "/"
        return value

    def database_url(self, name: str, default: str) -> str:
        value = self.raw(name) or default
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgres://")
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise SettingsError(name, "expected a sqlite:/// path or a postgresql:// URL")
        return value

    def user_ids(self, name: str) -> frozenset[str]:
        ids = frozenset(part.strip() for part in self.raw(name).replace(";", ",").split(",") if part.strip())
        bad = sorted(i for i in ids if not _SLACK_ID.match(i))
        if bad:
            raise SettingsError(name, f"expected Slack user ids like U0123ABCD, got {', '.join(bad)}")
        return ids
