"""A newcomer's commands, run as they would run them: from an empty folder, no .env, only what they set."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLACK = {"SLACK_BOT_TOKEN": "xoxb-first-contact", "SLACK_SIGNING_SECRET": "first-contact-secret"}


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def case_swarm(tmp_path):
    """Run `case-swarm ARGS` in a fresh folder with only the given settings (and PATH/HOME)."""

    def run(*args: str, cwd: Path | None = None, stdin: str | None = None, **env: str) -> Ran:
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        base["PYTHONPATH"] = str(REPO)
        done = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd or tmp_path, env={**base, **env},
                              capture_output=True, text=True, timeout=90, input=stdin)
        return Ran(done.returncode, done.stdout, done.stderr)

    return run
