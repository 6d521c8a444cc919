"""Starting the app does not load scikit-learn, scipy or the Korean analyser: the first ranking does."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_app_leaves_the_heavy_libraries_for_the_first_ranking():
    code = ("import sys, bot.app, swarms.experts.finder, expert_finder.ranking; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'kiwipiepy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
