"""The manager's Home answers "is the finder helping?": joins when asked, time to join, credited suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.views.home import home_as_text
from bot.views.home_finder import finder_blocks
from swarms.experts.models import SuggestionOutcome, SuggestionState
from swarms.models import Swarm, SwarmMember, SwarmStatus
from swarms.stats.contributions import Period
from swarms.stats.finder_stats import finder_figures

NOW = datetime(2025, 3, 4, 10, tzinfo=UTC)
TEAM = "T0FINDER01"


def _swarm(session, number: str, *, closed: bool) -> int:
    swarm = Swarm(team_id=TEAM, case_system="local", case_key=number, case_number=number, case_subject="Inverter E-21",
                  status=SwarmStatus.CLOSED if closed else SwarmStatus.OPEN, opened_by="U0AGENT",
                  opened_at=NOW - timedelta(days=2), closed_at=NOW - timedelta(days=1) if closed else None,
                  channel_name=f"swarm-{number}")
    session.add(swarm)
    session.flush()
    return swarm.id


def _asked(session, swarm_id: int, user: str, state: str, *, rank: int = 1, minutes: int | None = None) -> None:
    asked = NOW - timedelta(days=1, hours=6)
    session.add(SuggestionOutcome(swarm_id=swarm_id, user_id=user, rank=rank, state=state, suggested_at=asked,
                                  invited_at=asked,
                                  answered_at=asked + timedelta(minutes=minutes) if minutes is not None else None))


def test_the_finders_figures_count_only_its_own_suggestions(sessions):
    """Given three suggested experts who joined (after 10, 20 and 40 minutes), one who declined, one still
    asked, and one invited by hand, and two resolved swarms of which one was credited to a suggestion,
    then 3 of 4 joined, in 20 minutes at the median, and half the resolutions went to a suggestion."""
    with sessions.begin() as session:
        first, second = _swarm(session, "00000001", closed=True), _swarm(session, "00000002", closed=True)
        _asked(session, first, "U0FW", SuggestionState.CREDITED, minutes=10)
        _asked(session, first, "U0NET", SuggestionState.JOINED, minutes=20)
        _asked(session, second, "U0BAT", SuggestionState.CONTRIBUTED, minutes=40)
        _asked(session, second, "U0UI", SuggestionState.DECLINED, minutes=5)
        _asked(session, second, "U0NEW", SuggestionState.INVITED)
        _asked(session, second, "U0HAND", SuggestionState.CREDITED, rank=0, minutes=1)
        session.add_all([SwarmMember(swarm_id=first, user_id="U0FW", credited=True),
                         SwarmMember(swarm_id=second, user_id="U0HAND", credited=True)])
    with sessions() as session:
        figures = finder_figures(session, TEAM, Period(7), now=NOW)
    assert (figures.asked, figures.joined, figures.median_join_s) == (4, 3, 20 * 60)
    assert (figures.resolutions, figures.by_suggested, figures.suggested_rate) == (2, 1, 0.5)
    assert figures.weights_version == 0
    text = home_as_text({"type": "home", "blocks": finder_blocks(figures, "en")})
    assert "75%" in text and "3 of 4" in text and "20m" in text and "1 of 2 resolved swarms" in text
    assert "built-in weights" in text
    korean = home_as_text({"type": "home", "blocks": finder_blocks(figures, "ko")})
    assert "4명 중 3명" in korean


def test_an_empty_period_says_nothing_was_asked_yet(sessions):
    with sessions() as session:
        figures = finder_figures(session, TEAM, Period(7), now=NOW)
    text = home_as_text({"type": "home", "blocks": finder_blocks(figures, "en")})
    assert "No suggested expert was asked in this period yet." in text
