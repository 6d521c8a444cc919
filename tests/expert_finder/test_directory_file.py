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


def errors_of(path) -> list[str]:
    with pytest.raises(DirectoryFileError) as caught:
        load_directory(path)
    return [str(row) for row in caught.value.rows]


def test_given_a_csv_with_misspelled_columns_when_loading_then_nothing_loads_and_each_column_is_named(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text("slack_user,name,skils,prodcts,team\nU0JIWOO001,Jiwoo,firmware:5,SolarMax,Ops\n", encoding="utf-8")

    errors = errors_of(path)

    assert errors[:2] == ["line 1: unknown column 'skils' (did you mean 'skills'?)",
                          "line 1: unknown column 'prodcts' (did you mean 'products'?)"]
    assert errors[2].startswith("line 1: unknown column 'team'; known columns: slack_user, name, skills")
    assert len(errors) == 3, "the header is blamed once, not every row"


def test_given_a_yaml_entry_with_a_misspelled_key_when_loading_then_that_entry_is_named(tmp_path):
    path = tmp_path / "experts.yaml"
    path.write_text("- {slack_user: U0ANA00001, name: Ana, skills: {modbus: 3}}\n"
                    "- {slack_user: U0BEN00001, name: Ben, skils: {modbus: 3}, opt_out: yes}\n", encoding="utf-8")

    assert errors_of(path) == ["item 2: unknown key 'skils' (did you mean 'skills'?)",
                               "item 2: unknown key 'opt_out' (did you mean 'opted_out'?)"]


def test_given_a_row_with_more_values_than_columns_then_the_line_is_named(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text("slack_user,name\nU0ANA00001,Lima, Ana\n", encoding="utf-8")

    assert errors_of(path) == ["line 2: 3 values but the header has 2 columns: a comma inside a value? Put that "
                               "value in double quotes"]


def test_given_a_slack_mention_when_loading_then_it_is_stored_as_the_plain_user_id(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text("slack_user,name\n<@U0JIWOO001>,Jiwoo\n<@W0ANA00001|ana>,Ana\n", encoding="utf-8")

    assert [p.user_id for p in load_directory(path)] == ["U0JIWOO001", "W0ANA00001"]


def test_a_mention_and_its_plain_id_are_the_same_expert(tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text("slack_user,name\nU0JIWOO001,Jiwoo\n<@U0JIWOO001>,Jiwoo again\n", encoding="utf-8")

    assert errors_of(path) == ["line 3 slack_user: U0JIWOO001 already on line 2"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("jiwoo@example.com", "'jiwoo@example.com'"), ("Jiwoo Park", "'Jiwoo Park'"), ("u0jiwoo001", "'u0jiwoo001'"),
     ("[U0JIWOO001]", "a list"), ("{id: U0JIWOO001}", "a mapping")],
)
def test_given_something_that_is_not_a_slack_user_id_then_the_row_is_refused_saying_what_is_expected(
        tmp_path, value, shown):
    path = tmp_path / "experts.yaml"
    path.write_text(f"- slack_user: {value}\n  name: Jiwoo\n", encoding="utf-8")

    assert errors_of(path) == [f"item 1 slack_user: expected a Slack user id like U0123ABCD "
                               f"(Slack profile > ⋮ > Copy member ID), not {shown}"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "9am-5pm", "expected a time range like 09:00-18:00, not '9am-5pm'"),
        ("hours", "'09:00-25:00'", "expected a time range like 09:00-18:00, not '09:00-25:00'"),
        ("max_concurrent", "two", "expected a whole number of swarms, at least 1, not 'two'"),
        ("max_concurrent", "2.5", "expected a whole number of swarms, at least 1, not 2.5"),
        ("max_concurrent", "true", "expected a whole number of swarms, at least 1, not True"),
        ("skills", "{firmware: null}", "level of 'firmware' must be a number 1-5, not an empty value"),
        ("skills", "{firmware: high}", "level of 'firmware' must be a number 1-5, not 'high'"),
        ("skills", "':4'", "a skill needs a name before its :level, like modbus:3"),
        ("products", "{SolarMax: 1}", "expected a list or ';'-separated names, not a mapping"),
        ("timezone", "America", "unknown timezone 'America'; expected a name like Europe/Lisbon or Asia/Seoul"),
        ("name", "{first: Ana}", "expected a name as text, not a mapping"),
    ],
)
def test_given_a_bad_value_then_the_error_names_the_field_the_value_and_what_is_expected(
        tmp_path, field, value, message):
    path = tmp_path / "experts.yaml"
    row = {"slack_user": "U0ANA00001", "name": "Ana", field: value}
    path.write_text("- " + "\n  ".join(f"{k}: {v}" for k, v in row.items()) + "\n", encoding="utf-8")

    assert errors_of(path) == [f"item 1 {field}: {message}"]


def test_yaml_days_may_be_a_list_and_whole_numbers_may_be_written_as_3_0(tmp_path):
    path = tmp_path / "experts.yaml"
    path.write_text("- {slack_user: U0ANA00001, name: Ana, days: [mon, wed-thu], max_concurrent: 3.0}\n",
                    encoding="utf-8")

    (ana,) = load_directory(path)
    assert ana.hours.days == frozenset({0, 2, 3}) and ana.max_concurrent == 3


def test_given_a_folder_instead_of_a_file_then_it_is_refused_in_words(tmp_path):
    assert errors_of(tmp_path) == [f"{tmp_path} is a folder, not a YAML or CSV file"]
    assert errors_of(tmp_path / "nowhere.csv") == [f"file not found: {tmp_path / 'nowhere.csv'}"]
