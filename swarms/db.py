"""Engine, sessions and migrations. Nothing here runs at import time: the edge builds the engine."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Execution option of an SQLite session that only reads (`sessions()`, never `sessions.begin()`).
READS_ONLY = "case_swarm_reads_only"
READ_STATEMENTS = ("SELECT", "WITH", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "EXPLAIN")
# pg_advisory_xact_lock key serialising schema upgrades across processes ("case-swarm migrate" as digits).
MIGRATION_LOCK_KEY = 7_261_937_001


class SchemaAheadOfCode(Exception):
    """The database was migrated by a newer release: this code must not run on it."""

    def __init__(self, unknown: list[str], heads: list[str]) -> None:
        super().__init__(f"the database schema is newer than this release (revision {', '.join(unknown)} is unknown "
                         f"here; this release knows up to {', '.join(heads)}): run the newer release, or upgrade "
                         "this one")
        self.unknown = unknown

# Stable constraint names so Alembic can alter them later, on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build the engine; SQLite gets WAL, foreign keys and a busy timeout for several threads."""
    if url.startswith("sqlite"):
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, echo=echo, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        _sqlite_begin_immediate(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(engine: Engine) -> None:
    """Take SQLite's write lock at BEGIN, so two threads never deadlock upgrading a read lock.

    Threads of this process queue on a Python lock first: SQLite's own busy handler sleeps in steps
    of up to 100 ms, which turned a burst of short transactions into a queue of sleepers. Other
    processes (the CLI beside a running bot) still meet the busy timeout. A session that only reads
    (READS_ONLY, see `make_session_factory`) takes neither: in WAL mode it reads its snapshot beside the
    writer, so an ack that reads never queues behind a delivery batch being written back; a write in it
    is refused at once, naming the mistake, instead of failing now and then under load.
    """
    writer = threading.Lock()

    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        if conn.get_execution_options().get(READS_ONLY):
            conn.exec_driver_sql("BEGIN")  # deferred: a snapshot, no lock
            return
        if not writer.acquire(timeout=30):  # as SQLite's busy timeout would: an error, never a hang
            raise sqlite3.OperationalError("database is locked (another transaction of this process holds it)")
        conn.info["holds_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise

    def _release(conn) -> None:
        if conn.info.pop("holds_writer", False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)

    @event.listens_for(engine, "before_cursor_execute")
    def _reads_only(conn, _cursor, statement: str, *_args) -> None:
        if conn.get_execution_options().get(READS_ONLY) and not statement.lstrip().upper().startswith(READ_STATEMENTS):
            raise sqlite3.OperationalError("a write in a session that only reads: write in `with sessions.begin()`")


class SqliteSessions(sessionmaker):
    """`sessions()` reads (beside the writer, in WAL mode); `sessions.begin()` writes, under the writer lock."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self._reader = engine.execution_options(**{READS_ONLY: True})

    def __call__(self, **local_kw):  # type: ignore[override]
        local_kw.setdefault("bind", self._reader)
        return super().__call__(**local_kw)

    def begin(self):  # type: ignore[override]
        return super().__call__()._maker_context_manager()


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions: on an SQLite file, the ones from `sessions()` only read (see `_sqlite_begin_immediate`)."""
    if engine.dialect.name == "sqlite" and not isinstance(engine.pool, StaticPool):
        return SqliteSessions(engine)
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine_or_url: Engine | str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if isinstance(engine_or_url, str):
        config.set_main_option("sqlalchemy.url", engine_or_url.replace("%", "%%"))
    else:
        config.attributes["engine"] = engine_or_url
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to `revision` (all feature branches by default); an empty database is built."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def hold_migration_lock(connection: Connection) -> None:
    """Serialise upgrades across processes until this transaction ends (SQLite's own file lock does it there)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite rebuilds a table to alter it (batch mode: copy, DROP, rename); with foreign keys on, the DROP
    deletes the rows of every table that references it ON DELETE CASCADE. Migrations run with them off.

    The pragma is ignored inside a transaction, so it is set on the driver's connection before the first
    statement (the driver is in autocommit mode: SQLAlchemy sends BEGIN itself), and set back afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if connection.in_transaction():  # a failed upgrade: end it, or the pragma back on would be ignored
            connection.rollback()
        driver.execute("PRAGMA foreign_keys=ON")


def refuse_schema_ahead(connection: Connection, scripts) -> None:
    """Raise SchemaAheadOfCode when the database holds a revision this code's migrations do not have."""
    from alembic.runtime.migration import MigrationContext

    applied = MigrationContext.configure(connection).get_current_heads()
    known = {script.revision for script in scripts.walk_revisions()}
    unknown = sorted(set(applied) - known)
    if unknown:
        raise SchemaAheadOfCode(unknown, sorted(scripts.get_heads()))


def current_revision(engine: Engine) -> str | None:
    """The applied heads, comma-joined (each feature's migrations are a branch from 0001)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


class DatabaseUnreachable(Exception):
    """The database in DATABASE_URL cannot be opened: one line saying which and why, never a traceback."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot open the database {url}: {reason}. Check DATABASE_URL")


def sqlite_file(url: str) -> Path | None:
    """The file a sqlite:/// URL names (None for in-memory and other databases)."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def ensure_reachable(url: str) -> None:
    """Say in one line why the database can't be opened, before anything is built on it.

    A SQLite file's folder must exist (the file itself is created on first use); PostgreSQL gets one
    connection attempt. Nothing is created by asking.
    """
    shown = _shown_url(url)
    path = sqlite_file(url)
    if path is not None:
        if not path.parent.is_dir():
            raise DatabaseUnreachable(shown, f"the folder {path.parent} does not exist")
        if path.is_dir():
            raise DatabaseUnreachable(shown, f"{path} is a folder, not a database file")
        return
    if url.startswith("sqlite"):
        return
    try:
        engine = create_engine(url, pool_pre_ping=False)
    except ModuleNotFoundError as exc:
        raise DatabaseUnreachable(shown, f"the PostgreSQL driver ({exc.name}) is not installed; "
                                         "pip install 'psycopg[binary]'") from None
    try:
        with engine.connect():
            pass
    except Exception as exc:  # any driver error becomes the one line below
        raise DatabaseUnreachable(shown, _driver_reason(exc)) from None
    finally:
        engine.dispose()


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy can't parse is shown as given
        return url


def describe_database_error(exc: Exception) -> str:
    return _driver_reason(exc)


def _driver_reason(exc: Exception) -> str:
    """The driver's own first line, without SQLAlchemy's wrapping: 'Connection refused', 'database "x" does not
    exist', 'password authentication failed for user "u"'."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    if "failed: " in first:  # psycopg: connection failed: connection to server at "h", port p failed: WHY
        first = first.rsplit("failed: ", 1)[1]
    return first.removeprefix("FATAL:").strip()
