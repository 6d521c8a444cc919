"""The manifest installs exactly what the app listens to: one paste gives a working app."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.demo.standin_run import start_standin_run
from bot.listeners.commands import COMMAND
from bot.views.knowledge import KnowledgeCallback
from bot.views.note_sync import SyncCallback
from bot.views.swarm_from_message import FromMessageCallback

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_the_command_and_shortcuts_in_the_manifest_are_the_ones_the_app_handles():
    features = manifest()["features"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    assert {s["callback_id"] for s in features["shortcuts"]} == {SyncCallback.ADD_TO_CASE,
                                                                  KnowledgeCallback.MARK_RESOLUTION,
                                                                  FromMessageCallback.SHORTCUT}
    assert manifest()["settings"]["interactivity"]["message_menu_options_url"].endswith("/slack/events")
    assert features["app_home"]["home_tab_enabled"]


SAMPLE_EVENTS = {
    "message": {"type": "message", "text": "hello", "ts": "1795430000.000100", "channel_type": "channel"},
    "reaction_added": {"type": "reaction_added", "reaction": "bulb",
                       "item": {"type": "message", "ts": "1795430000.000100"}, "event_ts": "1795430001.000100"},
    "reaction_removed": {"type": "reaction_removed", "reaction": "bulb",
                         "item": {"type": "message", "ts": "1795430000.000100"}, "event_ts": "1795430002.000100"},
    "member_joined_channel": {"type": "member_joined_channel", "channel_type": "C", "event_ts": "1795430003.0"},
    "member_left_channel": {"type": "member_left_channel", "channel_type": "C", "event_ts": "1795430004.0"},
    "app_home_opened": {"type": "app_home_opened", "tab": "home", "event_ts": "1795430005.0"},
    "group_archive": {"type": "group_archive", "event_ts": "1795430006.0"},
    "group_unarchive": {"type": "group_unarchive", "event_ts": "1795430007.0"},
    "group_rename": {"type": "group_rename", "event_ts": "1795430008.0"},
    "app_uninstalled": {"type": "app_uninstalled", "event_ts": "1795430009.0"},
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}, "event_ts": "1795430010.0"},
}


def test_every_subscribed_event_has_a_listener(sessions):
    """Bolt answers 404 to an event nobody listens to; every event the manifest subscribes to gets a 200."""
    run = start_standin_run(sessions, background=False)
    try:
        user = run.workspace.add_user("dana", real_name="Dana Agent", locale="en-US")
        channel = run.workspace.general_id
        subscribed = {event.split(".")[0] for event in manifest()["settings"]["event_subscriptions"]["bot_events"]}
        assert subscribed == set(SAMPLE_EVENTS)
        for name in sorted(subscribed):
            event = {**SAMPLE_EVENTS[name], "user": user, "channel": channel}
            if "item" in event:
                event["item"] = {**event["item"], "channel": channel}
            result = run.driver.event(event)
            assert result.status == 200, f"{name}: {result.status} {result.body[:200]!r}"
        run.settle()
    finally:
        run.stop()


def test_an_install_by_oauth_asks_for_the_scopes_the_manifest_lists_and_comes_back_to_its_redirect():
    from bot.install.oauth import BOT_SCOPES, REDIRECT_PATH

    oauth = manifest()["oauth_config"]
    assert list(BOT_SCOPES) == oauth["scopes"]["bot"]
    assert [url.removeprefix("https://case-swarm.example.com") for url in oauth["redirect_urls"]] == [REDIRECT_PATH]
