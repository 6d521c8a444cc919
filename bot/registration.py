"""How a feature puts its listeners on the Bolt app: the one way, so every lazy step answers its errors.

Bolt only logs what a lazy listener raises, and the person who clicked or typed would hear nothing. Every
lazy step registered here is guarded: a named error becomes its translated answer, anything else a
generic one with a reference to quote (logged), sent to that person only.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App, Args
from slack_sdk.errors import SlackApiError

from bot.errors import error_text, expected
from bot.replies import reply_privately, tell_privately
from bot.services import AppServices
from swarms.ports import WorkspaceRefused

log = logging.getLogger(__name__)
Listener = Callable[..., Any]


def acknowledge(ack: Ack) -> None:
    """The ack of a listener whose work is all lazy."""
    ack()


def user_of(body: dict) -> str:
    """Who sent the request: actions, views and shortcuts name a user, commands a user_id, events their author."""
    return str((body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
               or "")


def team_of(body: dict) -> str:
    """The workspace a request came from: a command or an event says `team_id`, an interaction its `team` (or
    its user's)."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    return str(team or "")


def channel_of(body: dict) -> str:
    """The channel the request came from, if it came from one (a view submission does not)."""
    return str((body.get("channel") or {}).get("id") or body.get("channel_id")
               or (body.get("container") or {}).get("channel_id") or (body.get("event") or {}).get("channel") or "")


class Listeners:
    """Registers one feature's listeners. A listener given alone acks and answers itself; `ack` plus `lazy`
    steps acknowledge at once (Slack's 3 seconds) and run the steps after it, each guarded."""

    def __init__(self, app: App, services: AppServices) -> None:
        self.app = app
        self.services = services

    def lang_of(self, body: dict) -> str:
        """The sender's language without calling Slack (an ack cannot wait for it)."""
        return self.services.people.cached_language_of(user_of(body))

    def command(self, name: str, *, ack: Listener = acknowledge, lazy: Sequence[Listener] = ()) -> None:
        self._listen(self.app.command(name), None, ack, lazy)

    def action(self, action_id: str, listener: Listener | None = None, *, ack: Listener = acknowledge,
               lazy: Sequence[Listener] = ()) -> None:
        self._listen(self.app.action(action_id), listener, ack, lazy)

    def view(self, callback_id: str, listener: Listener | None = None, *, ack: Listener = acknowledge,
             lazy: Sequence[Listener] = ()) -> None:
        self._listen(self.app.view(callback_id), listener, ack, lazy)

    def shortcut(self, callback_id: str, listener: Listener | None = None, *, ack: Listener = acknowledge,
                 lazy: Sequence[Listener] = ()) -> None:
        self._listen(self.app.shortcut(callback_id), listener, ack, lazy)

    def event(self, event_type: str, listener: Listener | None = None, *, ack: Listener = acknowledge,
              lazy: Sequence[Listener] = ()) -> None:
        self._listen(self.app.event(event_type), listener, ack, lazy)

    def options(self, action_id: str, listener: Listener) -> None:
        """A select's options, answered in the ack itself (Slack waits for them): no lazy steps."""
        self.app.options(action_id)(listener)

    def _listen(self, listen: Callable[..., Any], listener: Listener | None, ack: Listener,
                lazy: Sequence[Listener]) -> None:
        if listener is not None:
            listen(listener)
        else:
            listen(ack=ack, lazy=[self.guarded(step) for step in lazy])

    def guarded(self, step: Listener) -> Listener:
        """`step` as a lazy listener that answers its own errors. Bolt passes the guard every argument it
        has (`args`); the step gets those it names, as if Bolt called it directly."""
        wanted = inspect.getfullargspec(inspect.unwrap(step)).args

        def guarded_step(args: Args) -> None:
            try:
                step(**{name: getattr(args, name) for name in wanted})
            except Exception as exc:
                self.answer_error(exc, args, step_name=step.__name__)

        guarded_step.__name__ = guarded_step.__qualname__ = step.__name__
        return guarded_step

    def answer_error(self, exc: Exception, args: Args, *, step_name: str) -> None:
        if expected(exc):
            log.info("answered %s: %s", type(exc).__name__, exc)
        elif not isinstance(exc, SlackApiError | WorkspaceRefused):
            log.exception("lazy listener %s failed", step_name)
        body = args.body
        text = error_text(exc, self.lang_of(body), system=self.services.settings.case_system)
        if args.context.response_url:
            reply_privately(args.respond, text)
        else:
            tell_privately(args.client, user_of(body), channel_of(body), text)
