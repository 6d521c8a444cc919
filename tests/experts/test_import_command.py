"""`case-swarm experts import FILE`: all or nothing, every bad row named by its line, re-import upserts."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.cli import main
from swarms.experts.models import Expert

GOOD_CSV = """\
slack_user,name,skills,products,languages,timezone,hours,days,max_concurrent,opted_out
U0ANA00001,Ana Lima,inverter firmware:4; modbus:3,SolarMax 5000; Logger X,en; pt,Europe/Lisbon,09:00-18:00,mon-fri,3,no
U0JIWOO001,김지우,배터리 관리:5,PowerWall K,ko,Asia/Seoul,08:30-17:30,"mon,tue,wed",2,false
"""

BAD_CSV = """\
slack_user,name,skills,products,languages,timezone,hours,days,max_concurrent,opted_out
U0ANA00001,Ana Lima,inverter firmware:4,SolarMax 5000,en,Europe/Lisbon,09:00-18:00,mon-fri,3,no
,Nameless,modbus:3,,,UTC,,,,
U0BAD00001,Bad Level,inverter firmware:9,,,Mars/Olympus,9-5pm,,0,maybe
U0ANA00001,Ana Again,modbus,,,UTC,,,,
"""

GOOD_YAML = """\
experts:
  - slack_user: U0ANA00001
    name: Ana Lima
    skills: {inverter firmware: 4, grid codes: 2}
    products: [SolarMax 5000]
    timezone: Europe/Lisbon
  - slack_user: U0MINHO001
    name: 이민호
    skills: ["firmware update:4", "BMS calibration"]
    languages: [ko, en]
    hours: "22:00-06:00"
    days: sat-sun
"""

BAD_YAML = """\
- slack_user: U0OK000001
  name: Fine Person
- name: No Id
  skills: {modbus: 3}
- slack_user: U0BAD00002
  name: Bad Days
  days: someday
"""


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch, capsys):
    """Run the CLI against the test database, from a directory without a .env; returns (code, out, err)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(name: str, content: str) -> tuple[int, str, str]:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        code = main(["experts", "import", str(path)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def experts(sessions) -> dict[str, Expert]:
    with sessions() as session:
        rows = session.scalars(select(Expert).options(selectinload(Expert.skills), selectinload(Expert.products)))
        return {e.user_id: e for e in rows}


def skills_of(expert: Expert) -> dict[str, int]:
    return {s.name: s.level for s in expert.skills}


def test_given_a_csv_with_bad_rows_when_imported_then_each_bad_row_is_named_by_line_and_nothing_is_imported(
        cli, sessions):
    code, out, err = cli("experts.csv", BAD_CSV)

    assert code == 2 and not out
    assert "nothing imported" in err
    assert "line 3 slack_user: is required" in err
    for field in ("skills", "timezone", "hours", "max_concurrent", "opted_out"):
        assert f"line 4 {field}:" in err, (field, err)
    assert "line 5 slack_user: U0ANA00001 already on line 2" in err
    assert "line 2 " not in err, "the good row is not blamed"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 0, "all or nothing"


def test_given_a_yaml_with_bad_entries_then_they_are_named_by_position_and_nothing_is_imported(cli, sessions):
    code, _, err = cli("experts.yaml", BAD_YAML)

    assert code == 2
    assert "item 2 slack_user: is required" in err and "item 3 days:" in err and "someday" in err
    assert not experts(sessions)


@pytest.mark.parametrize("content", ["just a sentence\n", "experts: {U0X: 1}\n"], ids=["scalar", "mapping"])
def test_a_yaml_that_is_not_a_list_of_experts_is_refused_clearly(cli, sessions, content):
    code, _, err = cli("experts.yml", content)

    assert code == 2 and "expected a list of experts" in err
    assert not experts(sessions)


def test_a_broken_yaml_and_a_csv_that_is_not_utf8_are_refused_with_a_reason_not_a_traceback(cli, sessions,
                                                                                             tmp_path, capsys):
    code, _, err = cli("broken.yaml", "- slack_user: U0X\n  name: [unclosed\n")
    assert code == 2 and "not valid YAML at line" in err

    latin = tmp_path / "latin1.csv"
    latin.write_bytes("slack_user,name\nU0JOSE0001,José Müller\n".encode("latin-1"))
    assert main(["experts", "import", str(latin)]) == 2
    assert "latin1.csv is neither UTF-8 nor Korean (CP949/EUC-KR) text" in capsys.readouterr().err
    assert not experts(sessions)


def test_a_missing_file_is_refused(cli, tmp_path):
    code = main(["experts", "import", str(tmp_path / "nowhere.csv")])
    assert code == 2


def test_given_a_good_csv_when_imported_then_every_field_is_stored(cli, sessions):
    code, out, _ = cli("experts.csv", GOOD_CSV)

    assert code == 0 and "imported 2 new and updated 0" in out
    ana, jiwoo = experts(sessions)["U0ANA00001"], experts(sessions)["U0JIWOO001"]
    assert skills_of(ana) == {"inverter firmware": 4, "modbus": 3}
    assert {p.name for p in ana.products} == {"SolarMax 5000", "Logger X"}
    assert (ana.timezone, ana.languages, ana.max_concurrent, ana.opted_out) == ("Europe/Lisbon", ["en", "pt"], 3,
                                                                                 False)
    assert (jiwoo.name, skills_of(jiwoo)) == ("김지우", {"배터리 관리": 5})
    assert (jiwoo.work_start, jiwoo.work_end, jiwoo.work_days) == (time(8, 30), time(17, 30), [0, 1, 2])


def test_given_an_imported_directory_when_a_yaml_is_imported_then_rows_are_upserted_by_slack_id(cli, sessions):
    cli("experts.csv", GOOD_CSV)

    code, out, _ = cli("experts.yaml", GOOD_YAML)

    assert code == 0 and "imported 1 new and updated 1" in out
    directory = experts(sessions)
    assert set(directory) == {"U0ANA00001", "U0JIWOO001", "U0MINHO001"}, "an import never deletes others"
    ana = directory["U0ANA00001"]
    assert skills_of(ana) == {"inverter firmware": 4, "grid codes": 2}, "the file's skills replace the old ones"
    assert ana.languages == [] and {p.name for p in ana.products} == {"SolarMax 5000"}
    minho = directory["U0MINHO001"]
    assert skills_of(minho) == {"firmware update": 4, "BMS calibration": 3}
    assert (minho.work_start, minho.work_end, minho.work_days) == (time(22), time(6), [5, 6])

    code, out, _ = cli("again.yaml", GOOD_YAML)
    assert code == 0 and "imported 0 new and updated 2" in out
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 3


def test_given_a_file_with_a_misspelled_column_when_importing_then_nothing_is_imported_and_the_column_is_named(
        cli, sessions):
    code, out, err = cli("typo.csv", "slack_user,name,skils,prodcts\nU0JIWOO001,Jiwoo,firmware:5,SolarMax\n")

    assert code == 2 and not out
    assert "line 1: unknown column 'skils' (did you mean 'skills'?)" in err
    assert "line 1: unknown column 'prodcts' (did you mean 'products'?)" in err
    assert not experts(sessions), "not imported without the skills the file meant to give"


def test_given_slack_mentions_and_e_mails_when_importing_then_mentions_are_unwrapped_and_e_mails_refused(
        cli, sessions):
    code, _, err = cli("ids.csv", "slack_user,name\n<@U0JIWOO001>,Jiwoo\njiwoo@example.com,Jiwoo2\n")

    assert code == 2
    assert "line 3 slack_user: expected a Slack user id like U0123ABCD" in err and "'jiwoo@example.com'" in err
    assert "line 2" not in err, "a mention is a fine way to give the id"
    assert not experts(sessions)

    code, _, _ = cli("ids.csv", "slack_user,name\n<@U0JIWOO001>,Jiwoo\n")
    assert code == 0 and set(experts(sessions)) == {"U0JIWOO001"}


def test_given_values_python_cannot_read_then_the_errors_are_words_not_python(cli, sessions):
    code, _, err = cli("raw.csv", "slack_user,name,hours,max_concurrent\nU0ANA00001,Ana,9am-5pm,two\n")

    assert code == 2
    assert "line 2 hours: expected a time range like 09:00-18:00, not '9am-5pm'" in err
    assert "line 2 max_concurrent: expected a whole number of swarms, at least 1, not 'two'" in err
    assert "invalid literal" not in err and "NoneType" not in err


def test_given_a_folder_when_importing_then_it_is_refused_as_a_folder_not_as_an_unreachable_service(cli, tmp_path,
                                                                                                   capsys):
    folder = tmp_path / "experts"
    folder.mkdir()

    assert main(["experts", "import", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"nothing imported from {folder}:" in err and "is a folder, not a YAML or CSV file" in err
    assert "could not reach" not in err
