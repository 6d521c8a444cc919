"""Starting the app leaves the Korean analyser for the first ranking, and no ranking needs scipy or scikit-learn."""

from __future__ import annotations

import subprocess
import sys

RANK_ONE_CASE = """
import sys
from datetime import UTC, datetime
import bot.app, swarms.experts.finder
from expert_finder.models import CaseQuery, ExpertProfile, PastHelp, Skill
from expert_finder.ranking import rank_experts
print(sorted(m for m in ('sklearn', 'scipy', 'kiwipiepy') if m in sys.modules))
now = datetime(2025, 3, 4, 10, tzinfo=UTC)
people = [ExpertProfile("U1", "Ann", (Skill("battery"),)), ExpertProfile("U2", "Bob", (Skill("인버터 펌웨어"),))]
history = [PastHelp(f"C{i}", "펌웨어 업데이트가 실패했습니다" if i % 2 else "battery not charging", "", f"U{i % 2 + 1}",
                    "resolved", datetime(2025, 1, 1 + i, tzinfo=UTC)) for i in range(6)]
ranking = rank_experts(CaseQuery("펌웨어 업데이트 실패", ""), people, history, now=now)
print(ranking.suggestions[0].user_id, sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))
"""


def test_the_app_starts_without_the_analyser_and_ranks_without_scipy_or_scikit_learn():
    out = subprocess.run([sys.executable, "-c", RANK_ONE_CASE], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "U2 []"]
