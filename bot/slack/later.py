"""Messages that can wait, through the Slack queue: posts at their channel's pace, message updates at tier 3.

A notice, an escalation or a closing summary does not have to be in the channel this very second,
but it must get there, in order, without a burst earning 429s: each is a `claimed_work` row, run at
once when the pace allows (the usual case) and otherwise by whichever process's runner finds it due. Posts
and updates carry their channel's order key (a thread swarm's: its thread's), so none is claimed while one
queued before it for the same place waits or runs, on any replica (bot.slack.work_queue).
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import AppServices
from bot.slack.work_queue import channel_order
from swarms.db import utcnow
from swarms.jobs.claimed_work import ClaimedWork, WorkItem, WorkState

POST = "slack.post"
UPDATE = "slack.update"
POSTS_PRIORITY = 120


def register(services: AppServices) -> None:
    services.slack_queue.handle(POST, lambda item: _post(services, item))
    services.slack_queue.handle(UPDATE, lambda item: _update(services, item))


def post_later(services: AppServices, team_id: str, channel_id: str, text: str, *, blocks: list | None = None,
               key: str | None = None, thread_ts: str | None = None) -> int | None:
    """A message that can wait (a notice, an escalation) in workspace `team_id`: queued, posted at the
    channel's pace, in order (in the thread `thread_ts`, a thread swarm's)."""
    payload = {"channel": channel_id, "text": text, "blocks": blocks, "thread_ts": thread_ts}
    return _queue_and_try(services, team_id, POST, payload, key=key, order=channel_order(team_id, channel_id,
                                                                                          thread_ts))


def update_later(services: AppServices, team_id: str, channel_id: str, ts: str, text: str, *,
                 blocks: list | None = None, key: str | None = None, thread_ts: str | None = None) -> int | None:
    """A message of ours changed (the case card closed): chat.update at its tier's pace, in its place's order
    (`thread_ts`: the thread it heads or is in, a thread swarm's card and its summary go in order)."""
    payload = {"channel": channel_id, "ts": ts, "text": text, "blocks": blocks}
    return _queue_and_try(services, team_id, UPDATE, payload, key=key, order=channel_order(team_id, channel_id,
                                                                                            thread_ts))


def posts_waiting(services: AppServices, team_id: str, channel_id: str) -> float | None:
    """Seconds until the first of the channel's queued work (posts, updates, the draft review) still queued
    (or held) is due, at least 1; None when there is none (an archive goes after it: nothing can be posted in
    an archived channel)."""
    with services.sessions() as session:
        waiting = session.execute(select(func.count(), func.min(ClaimedWork.due_at)).where(
            ClaimedWork.order_key == channel_order(team_id, channel_id),
            ClaimedWork.state.in_((WorkState.QUEUED, WorkState.CLAIMED)))).one()
    if not waiting[0]:
        return None
    return max(1.0, (waiting[1] - utcnow()).total_seconds())


def _queue_and_try(services: AppServices, team_id: str, kind: str, payload: dict, *, key: str | None,
                   order: str) -> int | None:
    queue = services.slack_queue
    item_id = queue.enqueue(kind, payload, team_id=team_id, key=key, priority=POSTS_PRIORITY, order_key=order)
    if item_id is not None:  # at once if the pace allows and nothing of its place is queued before it
        queue.run_now(item_id)
    return item_id


def _post(services: AppServices, item: WorkItem) -> None:
    # Only the first of a channel's waiting posts is claimed (its order key), so a paced one is put back for
    # its slot alone: the ones behind it do not wake with it.
    queue, channel, client = services.slack_queue, str(item.payload["channel"]), services.slack_for(item.team_id)
    queue.paced_call(item.team_id, "chat.postMessage", lambda: client.chat_postMessage(
        channel=channel, text=item.payload["text"], blocks=item.payload.get("blocks"),
        thread_ts=item.payload.get("thread_ts"), unfurl_links=False),
        channel=channel)


def _update(services: AppServices, item: WorkItem) -> None:
    client = services.slack_for(item.team_id)
    services.slack_queue.paced_call(item.team_id, "chat.update", lambda: client.chat_update(
        channel=item.payload["channel"], ts=item.payload["ts"], text=item.payload["text"],
        blocks=item.payload.get("blocks")))
