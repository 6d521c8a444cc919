"""The app's settings: read once from the environment (and `.env`) by one reader, every problem at once.

`Settings.from_env()` is the only code that reads `os.environ` (a test scans the source for others).
The core (Slack, database, case system, people) sits at the top of `Settings`; each feature has its own
typed section (`sync`, `home`, `knowledge`, `experts`, and `salesforce` / `zendesk` when one is used).
A feature adding a setting adds a field to its section and one line to that section's `read`, using
`SettingsReader`, so the value is checked at start-up and `case-swarm check` reports it. Every problem is
collected, each naming the setting, what was given (secrets only by their first characters) and what
is expected. Every setting is listed in the README's table.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:
    from swarms.experts.settings import ExpertSettings
    from vendor_clients.salesforce import SalesforceConfig
    from vendor_clients.zendesk import ZendeskConfig

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///case-swarm.sqlite3"
CASE_SYSTEMS = ("local", "salesforce", "zendesk")
LOG_FORMATS = ("text", "json")
SWARM_MODES = ("channel", "thread")  # SWARM_MODE: a swarm in its own channel, or in a thread
LANGUAGES = ("en", "ko")
KNOWLEDGE_EXPORTS = ("folder", "salesforce", "zendesk")
TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
_BOOLEANS = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
T = TypeVar("T")


class SettingProblem(NamedTuple):
    """One bad setting: its name, what was given (already masked for secrets) and what is expected."""

    name: str
    given: str
    expected: str

    def __str__(self) -> str:
        given = f"is {self.given!r}" if self.given else "is not set"
        return f"{self.name} {given}; expected {self.expected}"


class SettingsError(Exception):
    """One or more missing or malformed settings, each on its own line."""

    def __init__(self, name: str, expected: str, *, given: str = "") -> None:
        self.problems = [SettingProblem(name, given, expected)]
        super().__init__(self._words())

    @classmethod
    def of(cls, problems: list[SettingProblem]) -> SettingsError:
        error = cls(problems[0].name, problems[0].expected, given=problems[0].given)
        error.problems = list(problems)
        error.args = (error._words(),)
        return error

    @property
    def name(self) -> str:
        return self.problems[0].name

    def _words(self) -> str:
        if len(self.problems) == 1:
            return f"setting {self.problems[0]}"
        return f"{len(self.problems)} settings need fixing:\n" + "\n".join(f"  {p}" for p in self.problems)


class SettingsReader:
    """Typed reads of one environment mapping. A bad value is noted (not raised) and the default used,
    so every problem is found in one pass; `raise_problems()` then stops start-up with all of them."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[SettingProblem] = []

    def raw(self, name: str) -> str:
        return (self.env.get(name) or "").strip()

    def problem(self, name: str, expected: str, *, given: str | None = None, secret: bool = False) -> None:
        value = self.raw(name) if given is None else given
        if secret and value:
            value = value[:5] + "…"
        self.problems.append(SettingProblem(name, value, expected))

    def raise_problems(self) -> None:
        if self.problems:
            raise SettingsError.of(self.problems)

    def text(self, name: str, default: str = "", *, required: str = "") -> str:
        """`required` says what the setting is, for the message when it is missing."""
        value = self.raw(name)
        if not value and required:
            self.problem(name, required)
        return value or default

    def token(self, name: str, *, prefix: str, what: str, required: bool) -> str:
        value = self.text(name, required=f"{what} ({prefix}…)" if required else "")
        if value and not value.startswith(prefix):
            self.problem(name, f"{what}, starting with {prefix!r}", secret=True)
            return ""
        return value

    def parsed(self, name: str, default: T, parse: Callable[[str], T], expected: str) -> T:
        """Any other shape: `parse` raises ValueError (or returns None) for a value it refuses."""
        value = self.raw(name)
        if not value:
            return default
        try:
            result = parse(value)
        except ValueError:
            result = None
        if result is None:
            self.problem(name, expected)
            return default
        return result

    def integer(self, name: str, default: int, *, low: int, high: int, unit: str = "") -> int:
        words = f"a whole number{' of ' + unit if unit else ''} from {low} to {high}"
        return self.parsed(name, default, lambda v: _in_range(int(v), low, high), words)

    def number(self, name: str, default: float, *, low: float, high: float, unit: str) -> float:
        words = f"a number of {unit} from {low:g} to {high:g}"
        return self.parsed(name, default, lambda v: _in_range(float(v), low, high), words)

    def boolean(self, name: str, default: bool) -> bool:
        words = "one of " + ", ".join(f"{t}/{f}" for t, f in zip(TRUE_WORDS, FALSE_WORDS, strict=True))
        return self.parsed(name, default, lambda v: _BOOLEANS.get(v.lower()), words)

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        return self.parsed(name, default, lambda v: v.lower() if v.lower() in choices else None,
                           f"one of {', '.join(choices)}")

    def url(self, name: str, default: str, *, trailing_slash: bool = False) -> str:
        value = self.parsed(name, default, lambda v: v if re.match(r"^https?://[^\s/]+", v) else None,
                            "an http(s):// URL")
        if trailing_slash and not value.endswith("/"):
            value += "/"  # slack_sdk joins method names onto base_url, which must end with "/"
        return value

    def database_url(self, name: str, default: str) -> str:
        return self.parsed(name, default, _database_url, "a sqlite:///path/to/file.sqlite3 or postgresql://… URL")

    def user_ids(self, name: str) -> frozenset[str]:
        ids = frozenset(part.strip() for part in self.raw(name).replace(";", ",").split(",") if part.strip())
        bad = sorted(i for i in ids if not _SLACK_ID.match(i))
        if bad:
            self.problem(name, "Slack user ids like U0123ABCD, comma-separated", given=", ".join(bad))
            return ids - set(bad)
        return ids

    def labels(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = self.raw(name)
        return tuple(part.strip() for part in raw.split(",") if part.strip()) if raw else default


def _phone_region(value: str) -> str | None:
    import phonenumbers  # only when the setting is given: the metadata is not small

    region = value.strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def _in_range(number: T, low: float, high: float) -> T | None:
    return number if low <= number <= high else None  # type: ignore[operator]


def _database_url(value: str) -> str | None:
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value.removeprefix(prefix)
    return value if value.startswith(("sqlite://", "postgresql+psycopg://")) else None


# ---------------------------------------------------------------- feature sections


@dataclass(frozen=True)
class SyncSettings:
    """Note sync and the case-system feed."""

    top_level_messages: bool = True  # sync top-level channel messages too, not only thread replies
    sweep_seconds: int = 30
    lease_seconds: int = 15  # a sender's hold on the notes it sends; a crashed sender's notes go out after it
    case_poll_seconds: int = 60
    webhook_secret: str = field(default="", repr=False)

    @classmethod
    def read(cls, reader: SettingsReader, case_system: str) -> SyncSettings:
        return cls(
            top_level_messages=reader.boolean("SYNC_TOP_LEVEL_MESSAGES", True),
            sweep_seconds=reader.integer("NOTE_SYNC_SWEEP_SECONDS", 30, low=1, high=3600, unit="seconds"),
            lease_seconds=reader.integer("NOTE_SYNC_LEASE_SECONDS", 15, low=3, high=600, unit="seconds"),
            case_poll_seconds=reader.integer("CASE_POLL_SECONDS", 60, low=5, high=86400, unit="seconds"),
            webhook_secret=reader.text("CASE_WEBHOOK_SECRET") or reader.text(f"{case_system.upper()}_WEBHOOK_SECRET"),
        )


@dataclass(frozen=True)
class ReplicaSettings:
    """Running several replicas: how long the scheduler's lease lasts, the log format, and how long the
    queue they share keeps finished work."""

    scheduler_lease_seconds: int = 15  # a dead leader's jobs move to another replica within this
    log_format: str = "text"  # json: one object a line, with the Slack event or trigger id
    claimed_work_keep_days: int = 7  # finished queued work (Slack calls done, failed, superseded) is kept this long

    @classmethod
    def read(cls, reader: SettingsReader) -> ReplicaSettings:
        return cls(
            scheduler_lease_seconds=reader.integer("SCHEDULER_LEASE_SECONDS", 15, low=2, high=600, unit="seconds"),
            log_format=reader.choice("LOG_FORMAT", "text", LOG_FORMATS),
            claimed_work_keep_days=reader.integer("CLAIMED_WORK_KEEP_DAYS", 7, low=1, high=3650, unit="days"),
        )


@dataclass(frozen=True)
class InstallSettings:
    """Installing in several workspaces (OAuth v2): on when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set.

    Each workspace's bot token then comes from its installation, kept encrypted with `token_keys`."""

    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    # Fernet keys: the first encrypts, every one decrypts (list the old key after a new one to rotate keys).
    token_keys: tuple[str, ...] = field(default=(), repr=False)

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @classmethod
    def read(cls, reader: SettingsReader) -> InstallSettings:
        client_id = reader.text("SLACK_CLIENT_ID")
        client_secret = reader.text("SLACK_CLIENT_SECRET")
        if client_id and not client_secret:
            reader.problem("SLACK_CLIENT_SECRET", "the app's client secret (Basic Information), with SLACK_CLIENT_ID")
        if client_secret and not client_id:
            reader.problem("SLACK_CLIENT_ID", "the app's client id (Basic Information), with SLACK_CLIENT_SECRET")
        keys: tuple[str, ...] = ()
        if client_id and client_secret:
            keys = _token_keys(reader)
        return cls(client_id=client_id, client_secret=client_secret, token_keys=keys)


TOKEN_KEY_SETTING = "SLACK_TOKEN_ENCRYPTION_KEY"
TOKEN_KEY_EXPECTED = ("Fernet keys (44 characters of URL-safe base64 each; comma-separated, the newest first) that "
                      "encrypt the installations' tokens; make one with: python -c \"from cryptography.fernet import "
                      "Fernet; print(Fernet.generate_key().decode())\"")


def _token_keys(reader: SettingsReader) -> tuple[str, ...]:
    from swarms.install.token_cipher import is_token_key

    keys = tuple(part.strip() for part in reader.raw(TOKEN_KEY_SETTING).split(",") if part.strip())
    if not keys or not all(is_token_key(key) for key in keys):
        reader.problem(TOKEN_KEY_SETTING, TOKEN_KEY_EXPECTED, secret=True)
        return ()
    return keys


@dataclass(frozen=True)
class HomeSettings:
    """When an open swarm counts as stalled on the manager's Home."""

    no_expert_hours: float = 4.0
    idle_hours: float = 24.0

    @classmethod
    def read(cls, reader: SettingsReader) -> HomeSettings:
        return cls(no_expert_hours=reader.number("HOME_NO_EXPERT_HOURS", 4.0, low=0.1, high=8760, unit="hours"),
                   idle_hours=reader.number("HOME_IDLE_HOURS", 24.0, low=0.1, high=8760, unit="hours"))


@dataclass(frozen=True)
class OpeningSettings:
    """Opening swarms: reading case numbers out of messages, offering work that already exists."""

    case_pattern: str = ""  # a regular expression; empty: swarms.opening.case_numbers.DEFAULT_CASE_PATTERN
    offer_existing: bool = True  # before opening, offer open swarms and articles on the same problem
    # ... comparing the texts' meaning too, where the sentence encoder is installed (the `meaning` extra)
    offer_meaning: bool = True
    # Where `/swarm <case>` opens a swarm: its own private channel, or a thread of the channel it was typed in;
    # `--thread` / `--channel` choose per command.
    mode: str = "channel"

    @classmethod
    def read(cls, reader: SettingsReader) -> OpeningSettings:
        return cls(case_pattern=reader.parsed("SWARM_CASE_PATTERN", "", _case_pattern,
                                              "a regular expression with at most one group (the number), "
                                              "such as '#?(\\d{5,10})'"),
                   offer_existing=reader.boolean("SWARM_OFFER_EXISTING", True),
                   offer_meaning=reader.boolean("SWARM_OFFER_MEANING", True),
                   mode=reader.choice("SWARM_MODE", "channel", SWARM_MODES))


def _case_pattern(value: str) -> str | None:
    from swarms.opening.case_numbers import compile_case_pattern

    try:
        compile_case_pattern(value)
    except ValueError:
        return None
    return value


# (setting, default emoji name without colons) for the resolution, cause and key-note marks
MARK_EMOJI_SETTINGS = {
    "resolution": ("MARK_EMOJI_RESOLUTION", "white_check_mark"),
    "cause": ("MARK_EMOJI_CAUSE", "bulb"),
    "key_note": ("MARK_EMOJI_KEY_NOTE", "pushpin"),
}


@dataclass(frozen=True)
class KnowledgeSettings:
    """Closing, marks and knowledge drafts."""

    export: str = "folder"  # where Publish puts the article: folder, salesforce or zendesk
    folder: str = "./knowledge"
    credit_contributors: bool = False  # name the swarm's contributors in published articles
    phone_region: str = "KR"  # where a phone number written without a country code is read (ISO 3166 code)
    # The article's own language (en/ko, detected per draft) -> the knowledge base's; only what was set.
    salesforce_languages: Mapping[str, str] = field(default_factory=dict)
    zendesk_locales: Mapping[str, str] = field(default_factory=dict)
    archive_days: float = 7.0  # after closing, before the channel is archived (0: at the next run)
    # mark value (resolution, cause, key_note) -> emoji name, without colons
    mark_emoji: Mapping[str, str] = field(default_factory=lambda: {k: v[1] for k, v in MARK_EMOJI_SETTINGS.items()})

    @property
    def archive_after(self) -> timedelta:
        return timedelta(days=self.archive_days)

    @classmethod
    def read(cls, reader: SettingsReader) -> KnowledgeSettings:
        return cls(
            export=reader.choice("KNOWLEDGE_EXPORT", "folder", KNOWLEDGE_EXPORTS),
            folder=reader.text("KNOWLEDGE_FOLDER", "./knowledge"),
            credit_contributors=reader.boolean("KNOWLEDGE_CREDIT_CONTRIBUTORS", False),
            phone_region=reader.parsed("KNOWLEDGE_PHONE_REGION", "KR", _phone_region,
                                       "a two-letter region code phone numbers are read in, like KR or US"),
            salesforce_languages=reader.parsed("SALESFORCE_KNOWLEDGE_LANGUAGES", {},
                                               _language_map(r"[a-z]{2,3}(?:_[A-Z]{2})?"),
                                               "pairs of article language and org language, like en=en_US,ko=ko"),
            zendesk_locales=reader.parsed("ZENDESK_HELP_CENTER_LOCALES", {},
                                          _language_map(r"[a-z]{2,3}(?:-[a-z0-9]{2,4})?"),
                                          "pairs of article language and Help Center locale, like en=en-us,ko=ko"),
            archive_days=reader.number("SWARM_ARCHIVE_DAYS", 7.0, low=0, high=365, unit="days"),
            mark_emoji=_mark_emoji(reader),
        )


def _language_map(shape: str) -> Callable[[str], dict[str, str] | None]:
    """`en=en_US,ko=ko`: a code of the knowledge base for each article language (None when malformed)."""

    def parse(raw: str) -> dict[str, str] | None:
        mapping = {}
        for pair in filter(None, (p.strip() for p in raw.split(","))):
            lang, _, code = (part.strip() for part in pair.partition("="))
            if lang not in LANGUAGES or not re.fullmatch(shape, code):
                return None
            mapping[lang] = code
        return mapping

    return parse


def _mark_emoji(reader: SettingsReader) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for mark, (name, default) in MARK_EMOJI_SETTINGS.items():
        emoji = (reader.raw(name) or default).strip(":").lower()
        if " " in emoji or not emoji:
            reader.problem(name, f"an emoji name like {default!r}")
            emoji = default
        taken = next((m for m, e in chosen.items() if e == emoji), None)
        if taken:
            reader.problem(name, f"an emoji not already used for the {taken.replace('_', ' ')} mark")
            continue
        chosen[mark] = emoji
    return chosen


def _experts_default() -> ExpertSettings:
    from swarms.experts.settings import ExpertSettings

    return ExpertSettings()


# ---------------------------------------------------------------- all settings


@dataclass(frozen=True)
class Settings:
    """All the app's settings. Build with `Settings.from_env()`; tests pass their own mapping."""

    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = SLACK_DEFAULT_API_URL
    port: int = 3000
    database_url: str = DEFAULT_DATABASE_URL
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
    channel_names_ascii: bool = False  # swarm channel names in ASCII only (a Korean subject keeps its ASCII words)
    sync: SyncSettings = field(default_factory=SyncSettings)
    replicas: ReplicaSettings = field(default_factory=ReplicaSettings)
    home: HomeSettings = field(default_factory=HomeSettings)
    opening: OpeningSettings = field(default_factory=OpeningSettings)
    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    experts: ExpertSettings = field(default_factory=_experts_default)
    install: InstallSettings = field(default_factory=InstallSettings)  # several workspaces (OAuth v2)
    salesforce: SalesforceConfig | None = None  # read when the case system or the knowledge export is Salesforce
    zendesk: ZendeskConfig | None = None

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admin_user_ids

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True,
                 needs_slack: bool = True) -> Settings:
        """Read and check every setting; raise SettingsError listing every bad one."""
        settings, problems = cls.read(env, dotenv=dotenv, needs_slack=needs_slack)
        if problems:
            raise SettingsError.of(problems)
        return settings

    @classmethod
    def read(cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True,
             needs_slack: bool = True) -> tuple[Settings, list[SettingProblem]]:
        """The settings (defaults where a value is bad) and every problem found: what `check` reports.

        `env` None reads the process environment, after `.env` in the current folder when `dotenv`.
        `needs_slack` False: commands that only touch the database do not ask for Slack's tokens.
        """
        if env is None:
            if dotenv:
                _load_dotenv()
            env = dict(os.environ)
        reader = SettingsReader(env)
        case_system = reader.choice("CASE_SYSTEM", "local", CASE_SYSTEMS)
        knowledge = KnowledgeSettings.read(reader)
        app_token = reader.token("SLACK_APP_TOKEN", prefix="xapp-", what="the app-level token", required=False)
        install = InstallSettings.read(reader)
        if install.oauth and app_token:
            reader.problem("SLACK_APP_TOKEN", "not set when installing in several workspaces (SLACK_CLIENT_ID): "
                           "Slack allows Socket Mode only for a single workspace's app; run HTTP", secret=True)
        if install.oauth and reader.raw("SLACK_BOT_TOKEN"):
            reader.problem("SLACK_BOT_TOKEN", "not set when installing in several workspaces (SLACK_CLIENT_ID): "
                           "each workspace's token comes from its installation", secret=True)
        by_oauth = bool(reader.raw("SLACK_CLIENT_ID") or reader.raw("SLACK_CLIENT_SECRET"))  # even half-set
        settings = cls(
            slack_bot_token="" if by_oauth else reader.token(
                "SLACK_BOT_TOKEN", prefix="xoxb-", what="the bot token", required=needs_slack),
            # Socket Mode's requests come over a WebSocket opened with the app token: nothing to verify.
            slack_signing_secret=reader.text(
                "SLACK_SIGNING_SECRET", required="the signing secret from the app's Basic Information page "
                "(or SLACK_APP_TOKEN for Socket Mode)" if needs_slack and not app_token else ""),
            slack_app_token=app_token,
            slack_api_url=reader.url("SLACK_API_URL", SLACK_DEFAULT_API_URL, trailing_slash=True),
            port=reader.integer("PORT", 3000, low=1, high=65535),
            database_url=reader.database_url("DATABASE_URL", DEFAULT_DATABASE_URL),
            case_system=case_system,
            default_language=reader.choice("DEFAULT_LANGUAGE", "en", LANGUAGES),
            case_url_template=reader.text("CASE_URL_TEMPLATE"),
            admin_user_ids=reader.user_ids("ADMIN_USER_IDS"),
            manager_user_ids=reader.user_ids("MANAGER_USER_IDS"),
            manager_usergroup_id=reader.text("MANAGER_USERGROUP_ID"),
            knowledge_editor_user_ids=reader.user_ids("KNOWLEDGE_EDITOR_USER_IDS"),
            swarm_opener_user_ids=reader.user_ids("SWARM_OPENER_USER_IDS"),
            listener_threads=reader.integer("LISTENER_THREADS", 10, low=2, high=64),
            channel_names_ascii=reader.boolean("CHANNEL_NAMES_ASCII", False),
            sync=SyncSettings.read(reader, case_system),
            replicas=ReplicaSettings.read(reader),
            home=HomeSettings.read(reader),
            opening=OpeningSettings.read(reader),
            knowledge=knowledge,
            experts=_read_experts(reader),
            install=install,
            salesforce=_read_salesforce(reader) if "salesforce" in (case_system, knowledge.export) else None,
            zendesk=_read_zendesk(reader) if "zendesk" in (case_system, knowledge.export) else None,
        )
        if knowledge.export == "zendesk" and settings.zendesk and not settings.zendesk.help_center_section_id:
            reader.problem("ZENDESK_HELP_CENTER_SECTION_ID", "the Help Center section that receives drafts "
                           "(KNOWLEDGE_EXPORT=zendesk)")
        return settings, reader.problems


def _read_experts(reader: SettingsReader) -> ExpertSettings:
    from swarms.experts.settings import ExpertSettings

    return ExpertSettings.read(reader)


def _read_salesforce(reader: SettingsReader) -> SalesforceConfig:
    from swarms.vendor_settings import read_salesforce

    return read_salesforce(reader)


def _read_zendesk(reader: SettingsReader) -> ZendeskConfig:
    from swarms.vendor_settings import read_zendesk

    return read_zendesk(reader)


def _load_dotenv() -> None:
    path = Path.cwd() / ".env"
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)
