"""`case-swarm experts tune`: the finder re-tuned on the team's own resolved swarms, stored with a version."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.cli import main as cli_main
from bot.demo.tuning import seed_resolved_swarms
from expert_finder.models import DEFAULT_WEIGHTS, ExpertProfile, Skill
from swarms.experts.directory import import_directory
from swarms.experts.finder import weights_in_use
from swarms.experts.models import ExpertWeights
from swarms.experts.settings import ExpertSettings
from swarms.experts.tuning import resolved_swarms, tune_on_swarms

NOW = datetime(2025, 3, 4, 10, tzinfo=UTC)
OWNERS = {"firmware": "U0FW", "battery": "U0BAT", "field": "U0FLD"}
TEAM = "T0ACME0001"


def _directory(session, team_id: str = TEAM) -> None:
    import_directory(session, team_id, [
        ExpertProfile("U0FW", "Jiwoo", (Skill("inverter", 3),)),
        ExpertProfile("U0BAT", "Minho", (Skill("inverter", 3),)),
        ExpertProfile("U0FLD", "Sam", (Skill("inverter", 3),)),
    ], now=NOW)


def test_with_too_few_resolved_swarms_it_says_so_and_changes_nothing(sessions):
    with sessions.begin() as session:
        _directory(session)
        seed_resolved_swarms(session, TEAM, OWNERS, "U0AGENT", now=NOW, count=12)
        result = tune_on_swarms(session, TEAM, ExpertSettings(), now=NOW)
        assert (result.status, result.resolved_swarms, result.needed) == ("too_few", 12, 40)
        assert session.scalar(select(func.count(ExpertWeights.id))) == 0
        assert weights_in_use(session, TEAM) == (0, DEFAULT_WEIGHTS)


def test_tuning_stores_a_version_measured_before_and_after_on_the_last_swarms(sessions):
    """Given 60 resolved swarms whose topics have owners, when the team tunes, then weights tuned on the
    first 45 are measured on the last 15 (each ranked from earlier swarms only) and stored as version 1."""
    with sessions.begin() as session:
        _directory(session)
        seed_resolved_swarms(session, TEAM, OWNERS, "U0AGENT", now=NOW, count=60)
    with sessions.begin() as session:
        assert len(resolved_swarms(session, TEAM)) == 60
        result = tune_on_swarms(session, TEAM, ExpertSettings(), now=NOW)
    assert result.status == "stored" and result.version == 1 and result.measured_on == 15
    assert result.after.mrr + result.after.top5 >= result.before.mrr + result.before.top5
    assert result.after.top1 >= 0.6, "the history of earlier swarms finds each topic's owner"
    with sessions.begin() as session:
        version, weights = weights_in_use(session, TEAM)
        assert version == 1 and weights != DEFAULT_WEIGHTS
        again = tune_on_swarms(session, TEAM, ExpertSettings(), now=NOW)
    assert again.previous_version == 1 and again.version in (1, 2)


def test_the_cli_prints_before_and_after_and_refuses_too_few(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'tune.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert cli_main(["experts", "tune"]) == 1
    assert "tuning needs at least 40. Nothing changed." in capsys.readouterr().out
    from swarms.db import make_engine, make_session_factory

    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:  # no workspace has started: the CLI's team is ''
        _directory(session, "")
        seed_resolved_swarms(session, "", OWNERS, "U0AGENT", now=NOW, count=50)
    engine.dispose()
    assert cli_main(["experts", "tune", "--last", "10"]) == 0
    out = capsys.readouterr().out
    assert "resolved swarms: 50; tuned on all but the last 10" in out
    assert "before" in out and "after" in out and "stored as version 1" in out
