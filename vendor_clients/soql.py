"""SOQL values quoted and escaped: every value put into a query goes through here.

Salesforce's escape rules for quoted strings (backslash, quotes, newline, tab, backspace, form feed),
literal forms for booleans, null, numbers, dates and datetimes (UTC, no fractions), and a list as an
`IN (...)` group. Written here rather than installing simple-salesforce (with zeep and lxml) for it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from string import Formatter
from typing import Any

_ESCAPES = str.maketrans({"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                          "\b": "\\b", "\f": "\\f"})


def quote_soql_value(value: Any) -> str:
    """One value (or a list, set or tuple of them) as a SOQL literal."""
    if isinstance(value, str):
        return "'" + value.translate(_ESCAPES) + "'"
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | set | tuple):
        return "(" + ",".join(quote_soql_value(member) for member in value) + ")"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError(f"no SOQL literal for a {type(value).__name__}")


class _SoqlFormatter(Formatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        return quote_soql_value(value) if not format_spec else super().format_field(value, format_spec)


def format_soql(query: str, *args: Any, **kwargs: Any) -> str:
    """`query` with each `{}` replaced by its value quoted for SOQL."""
    return _SoqlFormatter().vformat(query, args, kwargs)
