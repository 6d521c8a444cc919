"""Directory files: CSV and YAML, every bad row reported, all or nothing."""

from __future__ import annotations

from datetime import time

import pytest

from expert_finder.directory_file import DirectoryFileError, RowError, load_directory
from expert_finder.models import Skill

HEADER = "slack_user,name,skills,products,languages,timezone,hours,days,max_concurrent,opted_out\n"


def test_csv_reads_every_field(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text(
        HEADER
        + "U1,Ana Lima,inverter firmware:4; modbus:3,Hybrid 5K; DataLogger X,en; pt,Europe/Lisbon,08:30-17:00,mon-thu,2,false\n"
        + "U2,김민준,배터리 관리,,ko,Asia/Seoul,,,,\n",
        encoding="utf-8",
    )
    ana, min_ = load_directory(path)
    assert ana.skills == (Skill("inverter firmware", 4), Skill("modbus", 3))
    assert ana.products == ("Hybrid 5K", "DataLogger X") and ana.languages == ("en", "pt")
    assert (ana.hours.timezone, ana.hours.start, ana.hours.end) == ("Europe/Lisbon", time(8, 30), time(17))
    assert ana.hours.days == frozenset({0, 1, 2, 3}) and ana.max_concurrent == 2 and not ana.opted_out
    assert min_.skills == (Skill("배터리 관리", 3),) and min_.max_concurrent == 3
    assert min_.hours.days == frozenset(range(5))


def test_yaml_with_mapping_skills(tmp_path):
    path = tmp_path / "experts.yaml"
    path.write_text(
        "experts:\n"
        "  - {slack_user: U1, name: Ana, skills: {inverter firmware: 5}, languages: [en], opted_out: true}\n"
        "  - {slack_user: U2, name: Ben, skills: ['modbus:2'], days: 'sat-sun'}\n",
        encoding="utf-8",
    )
    ana, ben = load_directory(path)
    assert ana.skills == (Skill("inverter firmware", 5),) and ana.opted_out
    assert ben.skills == (Skill("modbus", 2),) and ben.hours.days == frozenset({5, 6})


def test_every_bad_row_is_reported_and_nothing_loaded(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text(
        HEADER
        + "U1,Ana,modbus:9,,,,,,,\n"
        + ",Nobody,,,,Mars/Base,9-,someday,0,maybe\n"
        + "U3,Cy,modbus:x,,,,,,,\n"
        + "U1,Ana again,,,,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DirectoryFileError) as caught:
        load_directory(path)
    rows = caught.value.rows
    assert RowError(2, "skills", "level of 'modbus' must be 1-5, not 9") in rows
    assert {(r.line, r.field) for r in rows if r.line == 3} == {
        (3, "slack_user"),
        (3, "timezone"),
        (3, "hours"),
        (3, "days"),
        (3, "max_concurrent"),
        (3, "opted_out"),
    }
    assert (4, "skills") in {(r.line, r.field) for r in rows}
    assert not any(r.line == 5 for r in rows)  # U1's first row was bad, so the second is not a duplicate


def test_duplicate_user_is_an_error(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text(HEADER + "U1,Ana,,,,,,,,\nU1,Ana again,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError) as caught:
        load_directory(path)
    assert caught.value.rows == [RowError(3, "slack_user", "U1 already on line 2")]


def test_yaml_that_is_not_a_list(tmp_path):
    path = tmp_path / "experts.yml"
    path.write_text("just a string\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError):
        load_directory(path)
