"""Stumbles 5 and 8: a first start with nothing set names every missing setting at once; what the package and
the manifest declare is what exists and what the app needs."""

from __future__ import annotations

import tomllib

import yaml

from tests.first_contact.conftest import REPO


def test_serve_with_nothing_set_names_every_missing_setting_at_once(case_swarm, tmp_path):
    ran = case_swarm("serve", SYNC_TOP_LEVEL_MESSAGES="maybe")
    assert (ran.code, ran.out) == (2, "")
    assert ran.err == (
        "case-swarm: 3 settings need fixing:\n"
        "  SLACK_BOT_TOKEN is not set; expected the bot token (xoxb-…)\n"
        "  SLACK_SIGNING_SECRET is not set; expected the signing secret from the app's Basic Information page "
        "(or SLACK_APP_TOKEN for Socket Mode)\n"
        "  SYNC_TOP_LEVEL_MESSAGES is 'maybe'; expected one of true/false, yes/no, on/off, 1/0\n")
    assert list(tmp_path.iterdir()) == [], "no database is made by a start that cannot go on"


def test_every_package_data_pattern_names_files_that_exist():
    """A pattern that matches nothing (once `knowledge_export/templates/*`) promises files the install lacks."""
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    empty = [f"{package}: {pattern}" for package, patterns in package_data.items() for pattern in patterns
             if not list((REPO / package.replace(".", "/")).glob(pattern))]
    assert empty == []


def test_the_manifest_asks_for_channel_messages_only():
    """Swarm channels are private (`message.groups`); thread mode needs `message.channels` too, for swarms in
    threads of public team channels (only channels the bot was added to). DMs and group DMs are never read."""
    events = yaml.safe_load((REPO / "manifest.yml").read_text())["settings"]["event_subscriptions"]["bot_events"]
    assert {"message.groups", "message.channels"} <= set(events) and not {"message.im", "message.mpim"} & set(events)
    assert {"group_archive", "group_unarchive", "group_rename", "app_uninstalled", "tokens_revoked"} <= set(events)


def test_the_editable_install_is_a_plain_path_entry():
    """Without `package-dir`, setuptools installs the flat layout through a meta-path finder and prints an
    "Editable installation" warning into the README's install output (seen in a fresh clone's test run)."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"": "."}
