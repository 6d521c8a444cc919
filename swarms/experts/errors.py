"""Named errors of the expert finder; each names its catalog entry in bot/i18n/messages/experts.toml."""

from __future__ import annotations

from swarms.errors import SwarmError


class SwarmNotLive(SwarmError):
    message_key = "experts.error.swarm_not_live"


class NotYourInvite(SwarmError):
    """A Join or Decline from someone other than the person asked (a forged or forwarded payload)."""

    message_key = "experts.error.not_your_invite"


class AlreadyAnswered(SwarmError):
    """A second Join or Decline: the reply names the answer already given, in the reader's language."""

    message_key = "experts.error.already_answered"

    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state
        if state in ("joined", "contributed", "credited"):
            self.message_key = "experts.error.already_joined"
        elif state == "declined":
            self.message_key = "experts.error.already_declined"


class ExpertUnreachable(SwarmError):
    """Slack would not let us reach or add this person (deactivated, not found, ...)."""

    message_key = "experts.error.unreachable"

    def __init__(self, user: str, error: str) -> None:
        super().__init__(user=user, error=error)
        self.user = user
        self.error = error


class NothingToInvite(SwarmError):
    message_key = "experts.error.nothing_to_invite"
