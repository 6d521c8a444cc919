"""Every listener is put on the Bolt app one way, through `bot.registration.Listeners`: no listener module
calls Bolt's `app.event`, `app.action`, … itself, so every one is registered, guarded and read alike."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
BOLT_REGISTRARS = frozenset({"event", "message", "action", "command", "view", "shortcut", "options", "block_action",
                             "block_suggestion", "view_submission", "view_closed", "global_shortcut",
                             "message_shortcut", "function"})


def direct_registrations(source: Path) -> list[str]:
    """`app.<registrar>(…)` calls in a file, as `line: app.registrar`."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "app" \
                and node.func.attr in BOLT_REGISTRARS:
            found.append(f"{node.lineno}: app.{node.func.attr}")
    return found


def test_no_listener_module_registers_on_the_bolt_app_directly():
    direct = {str(path.relative_to(BOT.parent)): direct_registrations(path)
              for path in sorted(BOT.rglob("*.py")) if path.name != "registration.py"}
    assert {path: calls for path, calls in direct.items() if calls} == {}
