"""Evaluation on the shipped synthetic support data: formats, splits, and the finder beating the baselines."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from expert_finder.datasets import DatasetError, load_dataset
from expert_finder.evaluate import RESEARCH_METHODS, evaluate, main, split_indices

DATA = Path(__file__).resolve().parents[1] / "data" / "support_cases.csv"


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA)


def test_shipped_data_is_ordered_and_bilingual(data):
    assert len(data.cases) >= 300 and data.has_time
    assert [c.created for c in data.cases] == sorted(c.created for c in data.cases)
    assert any(not c.subject.isascii() for c in data.cases)


@pytest.mark.parametrize("split", ["chrono", "random"])
def test_finder_beats_every_baseline(data, split):
    result = evaluate(data, split, seed=0, repeats=2, ranker="research")
    methods = result["methods"]
    assert set(methods) == set(RESEARCH_METHODS)
    for baseline in ("similar", "frequent", "random"):
        assert methods["finder"]["mrr"] > methods[baseline]["mrr"], baseline
    assert methods["finder"]["top5"] >= methods["similar"]["top5"]
    assert methods["finder"]["top3"] > methods["random"]["top3"] + 0.4


def test_chrono_split_keeps_order_and_random_is_seeded():
    assert list(split_indices(10, "chrono", 0).test) == [8, 9]
    assert list(split_indices(10, "random", 3).test) == list(split_indices(10, "random", 3).test)
    assert list(split_indices(10, "random", 3).test) != list(split_indices(10, "random", 4).test)


def test_json_output(capsys):
    assert main(["--data", str(DATA), "--split", "chrono", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["test_cases"] == 84 and result["unseen_test_cases"] == 0
    assert {"top1", "top3", "top5", "top10", "mrr"} == set(result["methods"]["finder"]) == set(result["methods"]["app"])


def test_bug_zips_are_read_in_place(tmp_path):
    jdt = tmp_path / "jdt_data.csv.zip"
    with zipfile.ZipFile(jdt, "w") as zf:
        zf.writestr(
            "jdt_data.csv",
            "bug_id,creation_ts,Assignee,Description\r\n"
            "20,1/2/2002 10:00,bob,second\tbug\r\n10,1/1/2002 10:00,ann,first bug\r\n30,1/3/2002 9:00,eclipse,queue\r\n",
        )
        zf.writestr("__MACOSX/._jdt_data.csv", b"\x00\x05")
    data = load_dataset(jdt)
    assert [(c.id, c.resolver) for c in data.cases] == [("10", "ann"), ("20", "bob"), ("30", "eclipse")]
    assert data.queue_accounts == {"eclipse", "jdt-ui-inbox"}, "kept as cases, named as queues"
    assert data.cases[1].description == "second bug"
    gcc = tmp_path / "gcc_data.csv.zip"
    with zipfile.ZipFile(gcc, "w") as zf:
        zf.writestr(
            "gcc_data.csv",
            "Bug_ID,Assignee,Summary,Description,Status\r\n"
            "7,Ann,s7,d7,FIXED\r\n3,Bob,s3,d3,FIXED\r\n7,Ann,s7,d7,FIXED\r\n",
        )
    data = load_dataset(gcc)
    assert [c.id for c in data.cases] == ["3", "7"] and not data.has_time


def test_unknown_columns_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DatasetError):
        load_dataset(path)


GENERIC_HEADER = "id,created,subject,description,product,component,resolver\n"


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("missing.csv", None, "no such file"),
        ("columns.csv", "a,b\n1,2\n", "unknown columns"),
        ("when.csv", GENERIC_HEADER + "1,yesterday,a,b,,,ann\n", "line 2: bad created 'yesterday'"),
        ("latin1.csv", GENERIC_HEADER.encode() + "1,,caf\xe9,b,,,ann\n".encode("latin-1"), "not UTF-8"),
        ("broken.zip", b"PK not really a zip", "cannot be read"),
        ("tiny.csv", GENERIC_HEADER + "1,,a,b,,,ann\n2,,c,d,,,bo\n", "2 cases; at least 20"),
        (
            "nothing_shared.csv",
            GENERIC_HEADER + "".join(f"{i},,w{i},x{i},,,p{i % 3}\n" for i in range(30)),
            "share too few words",
        ),
    ],
)
@pytest.mark.parametrize("split", ["chrono", "replay"])
def test_unusable_data_gets_one_clear_line_and_exit_status_2(tmp_path, capsys, name, content, said, split):
    """Given a file the evaluation cannot use, the CLI says why in one line, never with a traceback."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["--data", str(path), "--split", split]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
