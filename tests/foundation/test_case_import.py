"""`case-swarm cases import`: CSV or JSON, extra columns kept, a clear error per bad row, all or nothing."""

import json

import pytest
from sqlalchemy import func, select

from bot.cli import main
from swarms.case_systems.case_import import CaseImportError, import_cases, read_case_rows
from swarms.models import Case

CSV = """number,subject,description,status,priority,product,account,region
00001001,Inverter shows E-21 after firmware update,Since the update the display shows E-21.,New,High,SolarMax 5000,Hanbit Energy,APAC
00001002,배터리 충전이 80%에서 멈춥니다,고객이 배터리 충전이 80%에서 멈춘다고 합니다.,Open,Medium,PowerCell 10,서울전력,KR
"""


def test_given_a_csv_file_when_imported_then_cases_and_extra_columns_are_stored(sessions, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(CSV, encoding="utf-8")
    with sessions.begin() as session:
        result = import_cases(session, read_case_rows(path))
    assert (result.created, result.updated) == (2, 0)
    with sessions() as session:
        korean = session.scalar(select(Case).where(Case.number == "00001002"))
        assert korean.subject == "배터리 충전이 80%에서 멈춥니다"
        assert korean.account == "서울전력"
        assert korean.extra == {"region": "KR"}


def test_importing_the_same_file_again_updates_instead_of_doubling(sessions, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{"number": "7", "subject": "A"}]), encoding="utf-8")
    for _ in range(2):
        with sessions.begin() as session:
            result = import_cases(session, read_case_rows(path))
    assert result.updated == 1
    with sessions() as session:
        assert session.scalar(select(func.count(Case.id))) == 1


def test_a_file_with_bad_rows_names_each_and_imports_nothing(sessions, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        "number,subject,contact_email\n1,Fine,a@b.example\n,No number,\n3,,\n1,Repeat,\n4,Bad mail,nope\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseImportError) as caught, sessions.begin() as session:
        import_cases(session, read_case_rows(path))
    messages = [str(e) for e in caught.value.errors]
    assert "line 3 number: is empty" in messages
    assert "line 4 subject: is empty" in messages
    assert "line 5 number: 1 repeats line 2" in messages
    assert "line 6 contact_email: is not an e-mail address" in messages
    with sessions() as session:
        assert session.scalar(select(func.count(Case.id))) == 0


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [("subject\nx\n", "c.csv", "lacks the column number"), ("{", "c.json", "not valid JSON"), ("", "c.csv", "empty")],
)
def test_unreadable_files_are_refused_in_words(tmp_path, content, name, words):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CaseImportError, match=words):
        read_case_rows(path)


def test_the_cli_prints_one_line_per_bad_row_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    path = tmp_path / "cases.csv"
    path.write_text("number,subject\n,x\n", encoding="utf-8")
    assert main(["cases", "import", str(path)]) == 2
    assert "line 2 number: is empty" in capsys.readouterr().err
    path.write_text(CSV, encoding="utf-8")
    assert main(["cases", "import", str(path)]) == 0
    assert "imported 2 new" in capsys.readouterr().out


def test_given_a_folder_when_importing_cases_then_it_is_refused_as_a_folder_and_no_database_is_made(
        tmp_path, monkeypatch, capsys):
    database = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    folder = tmp_path / "cases"
    folder.mkdir()

    assert main(["cases", "import", str(folder)]) == 2

    err = capsys.readouterr().err
    assert f"nothing imported from {folder}:" in err and "is a folder, not a CSV or JSON file" in err
    assert "could not reach" not in err
    assert not database.exists(), "a bad file is refused before the database is touched"
