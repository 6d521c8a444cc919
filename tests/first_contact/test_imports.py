"""Stumble 4: a CSV import is whole or refused, reads Korean Excel and `;` files, and numbers rows one way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from swarms.db import make_engine, make_session_factory
from swarms.models import Case


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """`case-swarm ARGS` in-process from an empty folder; returns (exit status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cs.sqlite3'}")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def cases(tmp_path) -> dict[str, str]:
    if not (tmp_path / "cs.sqlite3").exists():
        return {}
    engine = make_engine(f"sqlite:///{tmp_path / 'cs.sqlite3'}")
    with make_session_factory(engine)() as session:
        found = {c.number: c.subject for c in session.scalars(select(Case))}
    engine.dispose()
    return found


def test_a_row_with_an_unquoted_comma_is_refused_not_cut_short(cli, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("number,subject\n00001001,Fine\n00001002,Subject with, a comma\n", encoding="utf-8")
    code, out, err = cli("cases", "import", str(path))
    assert (code, out) == (2, "")
    assert err == (f"nothing imported from {path}:\n"
                   "  line 3: 3 values but the header has 2 columns: a comma inside a value? Put that value in double "
                   "quotes\n")
    assert cases(tmp_path) == {}


def test_a_quote_never_closed_is_refused_at_the_line_it_opens(cli, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text('number,subject\n00001001,Fine\n00001002,"Opened here\n00001003,Swallowed\n', encoding="utf-8")
    code, _, err = cli("cases", "import", str(path))
    assert code == 2
    assert err.splitlines()[1] == ('  line 3: a quote (") opened here is never closed, so the rest of the file would '
                                   'be read as one value; close it or double it ("") inside a value')


def test_a_semicolon_file_from_a_european_excel_is_read_and_said_so(cli, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("number;subject;product\n00001001;Wechselrichter zeigt E-21;SolarMax\n", encoding="utf-8")
    code, out, _ = cli("cases", "import", str(path))
    assert (code, out) == (0, f"imported 1 new and updated 0 cases from {path} (semicolon-separated)\n")
    assert cases(tmp_path) == {"00001001": "Wechselrichter zeigt E-21"}


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr"])
def test_a_korean_excel_file_is_read_as_cp949_and_said_so(cli, tmp_path, encoding):
    path = tmp_path / "cases.csv"
    path.write_bytes("number,subject\n00001027,배터리 충전이 80%에서 멈춥니다\n".encode(encoding))
    code, out, _ = cli("cases", "import", str(path))
    assert (code, out) == (0, f"imported 1 new and updated 0 cases from {path} (read as CP949)\n")
    assert cases(tmp_path) == {"00001027": "배터리 충전이 80%에서 멈춥니다"}


def test_a_case_number_swarm_could_never_open_is_refused_at_import(cli, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("number,subject\nABC DEF,Spaces\nABCDEF,No digit\n00001001,Fine\n", encoding="utf-8")
    code, _, err = cli("cases", "import", str(path))
    assert code == 2
    assert err.splitlines()[1:] == [
        "  line 2 number: 'ABC DEF' could never be opened with /swarm: a case number is letters, digits, - and _ "
        "(at least one digit, no spaces), up to 64 characters",
        "  line 3 number: 'ABCDEF' could never be opened with /swarm: a case number is letters, digits, - and _ "
        "(at least one digit, no spaces), up to 64 characters"]


def test_both_importers_name_a_bad_row_by_the_line_a_spreadsheet_shows(cli, tmp_path):
    case_file, expert_file = tmp_path / "cases.csv", tmp_path / "experts.csv"
    case_file.write_text("number,subject\n00001001,Fine\n,Missing number\n", encoding="utf-8")
    expert_file.write_text("slack_user,name\nU0ANA00001,Ana\n,Missing id\n", encoding="utf-8")
    assert cli("cases", "import", str(case_file))[2].splitlines()[1] == "  line 3 number: is empty"
    assert cli("experts", "import", str(expert_file))[2].splitlines()[1] == "  line 3 slack_user: is required"


def test_experts_from_a_korean_excel_semicolon_file_are_imported(cli, tmp_path):
    path = tmp_path / "experts.csv"
    path.write_bytes("slack_user;name;skills\nU0JIWOO001;김지우;인버터 펌웨어:4\n".encode("cp949"))
    code, out, _ = cli("experts", "import", str(path))
    assert (code, out) == (0, f"imported 1 new and updated 0 experts from {path}\n")


def test_experts_import_help_describes_the_file_format(case_swarm):
    ran = case_swarm("experts", "import", "--help")
    assert ran.code == 0
    for words in ("slack_user,name,skills,products,languages,timezone,hours,days,max_concurrent,opted_out",
                  "';'-separated name:level, level 1-5", "CP949/EUC-KR", "nothing is imported"):
        assert words in ran.out


def test_version_says_which_release_runs(case_swarm):
    from importlib.metadata import version

    ran = case_swarm("--version")
    assert (ran.code, ran.out) == (0, f"case-swarm {version('case-swarm')}\n")
