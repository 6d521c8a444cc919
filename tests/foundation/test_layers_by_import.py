"""The domain never reaches back for the Slack edge: no module under swarms/ imports bot (or Slack's SDKs)."""

from __future__ import annotations

import ast
from pathlib import Path

SWARMS = Path(__file__).resolve().parents[2] / "swarms"
EDGE = ("bot", "slack_bolt", "slack_sdk")


def imported_modules(source: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (relative imports stay in swarms/)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_swarms_module_imports_the_bot_or_slack():
    reaching_back = {
        str(path.relative_to(SWARMS.parent)): sorted(name for name in imported_modules(path)
                                                      if name.split(".")[0] in EDGE)
        for path in sorted(SWARMS.rglob("*.py"))
    }
    assert {path: names for path, names in reaching_back.items() if names} == {}
