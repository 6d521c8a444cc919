"""A bot installed by OAuth v2 against the stand-in, and one workspace (Acme) ready to install it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.demo.standin_run import start_standin_run
from slack_standin import OAuthApp

AGENT = "U0ACMEAGT1"


@pytest.fixture
def oauth_run(sessions, request):
    """Parametrize indirectly with OAuthApp's fields (token_rotation, token_lifetime)."""
    app = OAuthApp(**(getattr(request, "param", None) or {}))
    run = start_standin_run(sessions, oauth=app)
    acme = run.standin.add_workspace("T0ACME0001", "Acme Support")
    acme.add_user("ana", id=AGENT, real_name="Ana Agent", email="ana@acme.example", locale="en-US")
    run.acme = acme
    yield run
    run.stop()


def stored_rows(sessions, table) -> list[dict]:
    with sessions() as session:
        return [dict(row._mapping) for row in session.execute(select(table))]
