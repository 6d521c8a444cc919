"""Names Alembic leaves alone (shared by env.py and the schema test)."""

APSCHEDULER_TABLE = "apscheduler_jobs"  # APScheduler creates and owns it


def include_name(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name == APSCHEDULER_TABLE)
