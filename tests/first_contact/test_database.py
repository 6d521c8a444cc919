"""Stumbles 1 and 2: PostgreSQL from the README's install line; a database that can't be opened is one line."""

from __future__ import annotations

import sys
import tomllib

import pytest

from bot.cli import main
from slack_standin import SlackStandIn
from tests.conftest import TEST_DATABASE_URL
from tests.first_contact.conftest import REPO, SLACK


def test_the_readme_install_line_brings_the_postgresql_driver():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("psycopg[binary]") for dep in project["dependencies"])
    readme = (REPO / "README.md").read_text()
    assert '.venv/bin/pip install -e ".[korean,meaning]" && .venv/bin/case-swarm demo' in readme


def test_without_the_driver_serve_says_which_package_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    for name, value in {**SLACK, "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/cs"}.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == (
        "case-swarm: cannot open the database postgresql+psycopg://postgres@127.0.0.1:5432/cs: the PostgreSQL "
        "driver (psycopg) is not installed; pip install 'psycopg[binary]'. Check DATABASE_URL\n")


UNREACHABLE = [
    ("postgresql://postgres@127.0.0.1:1/cs", "postgresql+psycopg://postgres@127.0.0.1:1/cs: Connection refused"),
    ("sqlite:////nonexistent/dir/x.sqlite3",
     "sqlite:////nonexistent/dir/x.sqlite3: the folder /nonexistent/dir does not exist"),
]


@pytest.mark.parametrize(("url", "why"), UNREACHABLE)
def test_serve_with_a_database_it_cannot_open_says_so_in_one_line(case_swarm, tmp_path, url, why):
    ran = case_swarm("serve", **SLACK, DATABASE_URL=url)
    assert (ran.code, ran.out) == (2, "")
    assert ran.err == f"case-swarm: cannot open the database {why}. Check DATABASE_URL\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("url", "why"), UNREACHABLE)
def test_check_names_the_database_it_cannot_open(tmp_path, monkeypatch, capsys, url, why):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    for name, value in SLACK.items():
        monkeypatch.setenv(name, value)
    assert main(["check"]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines()[-1] == f"NO  Database: {why}. Check DATABASE_URL"
    assert "Traceback" not in out.err


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    url = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/no_such_database_here"
    for name, value in {**SLACK, "DATABASE_URL": url}.items():
        monkeypatch.setenv(name, value)
    assert main(["db", "upgrade"]) == 2
    assert capsys.readouterr().err.endswith(': database "no_such_database_here" does not exist. Check DATABASE_URL\n')


def test_serve_that_fails_at_start_up_leaves_no_stray_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the default DATABASE_URL: case-swarm.sqlite3 in the current folder
    with SlackStandIn(signing_secret=SLACK["SLACK_SIGNING_SECRET"], bot_token="xoxb-the-right-one") as standin:
        for name, value in {**SLACK, "SLACK_API_URL": standin.api_url}.items():
            monkeypatch.setenv(name, value)
        assert main(["serve"]) == 2
    assert "invalid_auth" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []
