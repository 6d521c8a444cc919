"""Installing in several workspaces (OAuth v2): slack_sdk's SQLAlchemy stores on the app's own database, tokens
encrypted at rest, rotated before they expire, and the install pages.

On when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set (`settings.install.oauth`); otherwise the app runs on
one workspace's SLACK_BOT_TOKEN, as before. The stores' tables come from our migrations
(`swarms.install.tables`), never from `create_tables()`, so replicas agree on them.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import sessionmaker

from swarms.db import Base, utcnow
from swarms.install.tables import slack_bots, slack_installations, slack_oauth_states
from swarms.install.token_cipher import TokenCipher, WrongTokenKey
from swarms.install.workspaces import claim_workspace
from swarms.settings import Settings

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install link is good for ten minutes
# Rotate a token this long before it expires (Slack's last 12 h); Bolt's own check uses the same margin.
ROTATE_WITHIN_MINUTES = 120
# What manifest.yml asks for (a test keeps the two the same).
BOT_SCOPES = ("commands", "chat:write", "groups:write", "groups:read", "groups:history", "channels:history",
              "channels:read", "im:write", "users:read", "users:read.email", "users.profile:read",
              "usergroups:read", "reactions:read", "bookmarks:write", "pins:write", "files:write")
_INSTALLATION_SECRETS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token", "incoming_webhook_url")
_BOT_SECRETS = ("bot_token", "bot_refresh_token")
_ROTATION_LOCK_BASE = 7_261_937_100  # pg_advisory_lock keys of token rotation, one per team


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store on our tables: tokens sealed before every write and opened after every read, and a
    token near its end rotated on the way out, once across replicas."""

    def __init__(self, *, client_id: str, engine: Engine, sessions: sessionmaker, cipher: TokenCipher,
                 rotator: TokenRotator | None) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.metadata, self.installations, self.bots = Base.metadata, slack_installations, slack_bots
        self.sessions = sessions
        self.cipher = cipher
        self.rotator = rotator
        self._local_rotation = threading.Lock()  # SQLite: one process; PostgreSQL: an advisory lock

    # writes: sealed -------------------------------------------------------------------------------------

    def save(self, installation: Installation) -> None:
        with self.sessions.begin() as session:  # one more workspace served (or one served again)
            claim_workspace(session, installation.team_id or "", installation.team_name or "", now=utcnow(),
                            alone=False)
        sealed = Installation(**installation.to_dict_for_copying())
        for name in _INSTALLATION_SECRETS:
            setattr(sealed, name, self.cipher.seal(getattr(sealed, name)))
        super().save(sealed)  # also saves the bot, through save_bot below (already sealed: kept as is)

    def save_bot(self, bot: Bot) -> None:
        sealed = Bot(**bot.to_dict_for_copying())
        for name in _BOT_SECRETS:
            setattr(sealed, name, self.cipher.seal(getattr(sealed, name)))
        super().save_bot(sealed)

    # reads: opened, and rotated when near their end ---------------------------------------------------------

    def build_installation_entity(self, row: Any) -> Installation:  # type: ignore[override]
        return super().build_installation_entity(self._opened(row, _INSTALLATION_SECRETS))

    def build_bot_entity(self, row: Any) -> Bot:  # type: ignore[override]
        return super().build_bot_entity(self._opened(row, _BOT_SECRETS))

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        bot = super().find_bot(enterprise_id=enterprise_id, team_id=team_id,
                               is_enterprise_install=is_enterprise_install)
        if bot is not None and self._expiring(bot.bot_refresh_token, bot.bot_token_expires_at):
            self._rotate(enterprise_id, team_id)
            bot = super().find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                   is_enterprise_install=is_enterprise_install)
        return bot

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Uninstalled: every token of the workspace goes (the state rows are not the workspace's)."""
        self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    def unreadable_tokens(self) -> int:
        """How many stored tokens the configured keys cannot decrypt (a wrong SLACK_TOKEN_ENCRYPTION_KEY)."""
        unreadable = 0
        with self.engine.connect() as conn:
            for table, names in ((slack_installations, _INSTALLATION_SECRETS), (slack_bots, _BOT_SECRETS)):
                for row in conn.execute(select(*(table.c[name] for name in names))):
                    for value in row:
                        try:
                            self.cipher.open(value)
                        except WrongTokenKey:
                            unreadable += 1
        return unreadable

    def _opened(self, row: Any, names: tuple[str, ...]) -> dict[str, Any]:
        opened = dict(row)
        for name in names:
            opened[name] = self.cipher.open(opened.get(name))
        return opened

    def _expiring(self, refresh_token: str | None, expires_at: int | None) -> bool:
        return (self.rotator is not None and refresh_token is not None and expires_at is not None
                and expires_at < time.time() + ROTATE_WITHIN_MINUTES * 60)

    def _rotate(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Slack revokes a refresh token once used: one rotation at a time per team, reading the newest row
        again under the lock, so a second replica finds the first one's new token instead of a spent one."""
        assert self.rotator is not None
        with self._rotation_lock(team_id or ""):
            latest = super().find_installation(enterprise_id=enterprise_id, team_id=team_id)
            if latest is not None:
                refreshed = self.rotator.perform_token_rotation(installation=latest,
                                                                minutes_before_expiration=ROTATE_WITHIN_MINUTES)
                if refreshed is not None:
                    self.save(refreshed)
                return
            bot = super().find_bot(enterprise_id=enterprise_id, team_id=team_id)
            if bot is not None:
                refreshed_bot = self.rotator.perform_bot_token_rotation(bot=bot,
                                                                        minutes_before_expiration=ROTATE_WITHIN_MINUTES)
                if refreshed_bot is not None:
                    self.save_bot(refreshed_bot)

    @contextmanager
    def _rotation_lock(self, team_id: str) -> Iterator[None]:
        if self.engine.dialect.name != "postgresql":
            with self._local_rotation:
                yield
            return
        key = _ROTATION_LOCK_BASE + zlib.crc32(team_id.encode())
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store on our table: a state is issued once per install link and consumed once."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(expiration_seconds=STATE_SECONDS, engine=engine)
        self.metadata, self.oauth_states = Base.metadata, slack_oauth_states

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state; the links nobody finished go first, so the table holds only the last ten minutes'."""
        now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as the store writes it
        with self.engine.begin() as conn:
            conn.execute(delete(slack_oauth_states).where(slack_oauth_states.c.expire_at < now))
        return super().issue(*args, **kwargs)


def authorization_url(api_url: str) -> str:
    """Slack's authorize page beside its Web API: https://slack.com/oauth/v2/authorize, or the stand-in's."""
    return api_url.rstrip("/").removesuffix("/api") + "/oauth/v2/authorize"


def make_installation_store(settings: Settings, sessions: sessionmaker,
                            oauth_client: WebClient) -> EncryptedInstallationStore:
    """`oauth_client` carries no bot token: it calls oauth.v2.access with the app's client id and secret."""
    install = settings.install
    return EncryptedInstallationStore(
        client_id=install.client_id, engine=sessions.kw["bind"], sessions=sessions,
        cipher=TokenCipher(install.token_keys),
        rotator=TokenRotator(client_id=install.client_id, client_secret=install.client_secret,
                             client=oauth_client))


def make_oauth_settings(settings: Settings, store: EncryptedInstallationStore,
                        callbacks: CallbackOptions) -> OAuthSettings:
    return OAuthSettings(
        client_id=settings.install.client_id,
        client_secret=settings.install.client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        # /slack/install goes straight to Slack's consent page: Bolt's own "Add to Slack" page is English only.
        install_page_rendering_enabled=False,
        authorization_url=authorization_url(settings.slack_api_url),
        callback_options=callbacks,
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=ROTATE_WITHIN_MINUTES,
        state_store=OAuthStateStore(store.engine),
        state_expiration_seconds=STATE_SECONDS,
    )


def make_authorize(settings: Settings, store: EncryptedInstallationStore,
                   client: WebClient) -> InstallationStoreAuthorize:
    """Bolt's authorize on our store, with our client (Bolt's default would rotate against slack.com)."""
    return InstallationStoreAuthorize(logger=logging.getLogger("slack_bolt.App"), installation_store=store,
                                      client_id=settings.install.client_id,
                                      client_secret=settings.install.client_secret, bot_only=True, client=client,
                                      token_rotation_expiration_minutes=ROTATE_WITHIN_MINUTES)
