"""Named errors of the domain. The bot turns each into a clear, translated ephemeral message."""

from __future__ import annotations


class SwarmError(Exception):
    """Base for errors a person should read; `message_key` names the catalog entry, `params` fill it."""

    message_key = "error.generic"

    def __init__(self, **params: object) -> None:
        super().__init__(f"{self.message_key} {params}" if params else self.message_key)
        self.params = params


class NotAllowed(SwarmError):
    message_key = "error.not_allowed"


class SwarmOfAnotherWorkspace(SwarmError):
    """A button or a picked value names a swarm (or its draft) of another workspace: payloads can be forged."""

    message_key = "error.swarm_of_another_workspace"


class SwarmNotFound(SwarmError):
    message_key = "error.swarm_not_found"


class CaseClosed(SwarmError):
    message_key = "error.case_closed"


class NotASwarmChannel(SwarmError):
    message_key = "error.not_a_swarm_channel"


class SwarmsInThreads(SwarmError):
    """A command in a team channel whose swarms run in threads: Slack takes no slash commands in threads."""

    message_key = "thread.commands_in_threads"


class ThreadNeedsChannel(SwarmError):
    """`/swarm <case> --thread` in a direct message: a thread swarm lives in a channel."""

    message_key = "thread.needs_a_channel"


class BotNotInChannel(SwarmError):
    """`/swarm <case> --thread` in a channel the bot is not in: it could neither post the card nor read replies."""

    message_key = "thread.bot_not_in_channel"


class ThreadInSwarmChannel(SwarmError):
    """`/swarm <case> --thread` inside another swarm's channel: its replies would be that swarm's notes."""

    message_key = "thread.in_swarm_channel"


class NotYourSwarm(SwarmError):
    message_key = "sync.not_your_swarm"


class SwarmGone(SwarmError):
    """The swarm picked for "Add to case" no longer exists (or the payload named one that never did)."""

    message_key = "sync.add_swarm_gone"


class SwarmClosedForNotes(SwarmError):
    """The swarm picked for "Add to case" closed while the picker was open."""

    message_key = "sync.add_swarm_closed"


class AlreadySynced(SwarmError):
    message_key = "sync.already_synced"


class SwarmBeingOpened(SwarmError):
    """Another request holds the opening of this case's swarm; its asker is told when it is open."""

    message_key = "swarm.being_opened"


class NoFreeChannelName(SwarmError):
    message_key = "error.no_free_channel_name"
