"""People using the workspace: each helper changes the workspace and delivers the event Slack would send."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from slack_standin.driver import Driver, DriverResult

T = TypeVar("T")


class PeopleMixin:
    """Mixed into `Driver`. Delivery goes through the stand-in's outbox when `deliver_events_to` is set,
    otherwise straight to this driver's URL; either way it is done when the helper returns."""

    last_deliveries: list[DriverResult]

    def user_posts(self: Driver, user: str, channel: str, text: str, *, thread_ts: str | None = None,
                   broadcast: bool = False, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A person posts (in a thread with `thread_ts`); returns the stored message."""
        return self._acting(lambda: self.workspace.post_message(channel, user=user, text=text, blocks=blocks,
                                                                thread_ts=thread_ts, reply_broadcast=broadcast))

    def user_edits(self: Driver, user: str, channel: str, ts: str, text: str) -> dict[str, Any]:
        return self._acting(lambda: self.workspace.update_message(channel, ts, editor=user, text=text))

    def user_deletes(self: Driver, user: str, channel: str, ts: str) -> dict[str, Any]:
        return self._acting(lambda: self.workspace.delete_message(channel, ts))

    def user_reacts(self: Driver, user: str, channel: str, ts: str, name: str) -> None:
        self._acting(lambda: self.workspace.add_reaction(channel, ts, name, user=user))

    def user_unreacts(self: Driver, user: str, channel: str, ts: str, name: str) -> None:
        self._acting(lambda: self.workspace.remove_reaction(channel, ts, name, user=user))

    def user_joins(self: Driver, user: str, channel: str, *, inviter: str | None = None) -> None:
        self._acting(lambda: self.workspace.join(channel, user, inviter=inviter))

    def user_leaves(self: Driver, user: str, channel: str) -> None:
        self._acting(lambda: self.workspace.leave(channel, user))

    def user_opens_home(self: Driver, user: str) -> DriverResult:
        """`app_home_opened` on the Home tab, with the published view if there is one."""
        ws = self.workspace
        channel, _ = ws.open_im(user)
        event: dict[str, Any] = {"type": "app_home_opened", "user": user, "channel": channel, "tab": "home",
                                 "event_ts": ws.next_ts()}
        view = ws.home_view(user)
        if view is not None:
            event["view"] = view
        result = self.event(event)
        self.outbox.pump(wait=True)
        return result

    def _acting(self: Driver, action: Callable[[], T]) -> T:
        with self.outbox.capturing() as events:
            outcome = action()
        if self.outbox.target is not None:
            self.outbox.drain()
            self.last_deliveries = []
        else:
            self.last_deliveries = [self.send_envelope(self.envelope(event)) for event in events]
            self.outbox.pump(wait=True)
        return outcome
