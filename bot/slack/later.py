"""Messages that can wait, through the Slack queue: posts at their channel's pace, message updates at tier 3.

A notice, an escalation or a closing summary does not have to be in the channel this very second,
but it must get there, in order, without a burst earning 429s: each is a `claimed_work` row, run at
once when the pace allows (the usual case) and otherwise by whichever process's runner finds it due.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import AppServices
from bot.slack.work_queue import NotYet
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
    return _queue_and_try(services, team_id, POST, payload, key=key)


def update_later(services: AppServices, team_id: str, channel_id: str, ts: str, text: str, *,
                 blocks: list | None = None, key: str | None = None) -> int | None:
    """A message of ours changed (the case card closed): chat.update at its tier's pace."""
    payload = {"channel": channel_id, "ts": ts, "text": text, "blocks": blocks}
    return _queue_and_try(services, team_id, UPDATE, payload, key=key)


def posts_waiting(services: AppServices, channel_id: str) -> float | None:
    """Seconds until the first of the channel's posts and updates still queued (or held) is due, at least 1;
    None when there are none (an archive goes after them: nothing can be posted in an archived channel)."""
    with services.sessions() as session:
        waiting = session.execute(select(func.count(), func.min(ClaimedWork.due_at)).where(
            ClaimedWork.kind.in_((POST, UPDATE)), ClaimedWork.state.in_((WorkState.QUEUED, WorkState.CLAIMED)),
            ClaimedWork.payload["channel"].as_string() == channel_id)).one()
    if not waiting[0]:
        return None
    return max(1.0, (waiting[1] - utcnow()).total_seconds())


def _queue_and_try(services: AppServices, team_id: str, kind: str, payload: dict, *, key: str | None) -> int | None:
    queue = services.slack_queue
    item_id = queue.enqueue(kind, payload, team_id=team_id, key=key, priority=POSTS_PRIORITY)
    if item_id is not None and queue.ahead_of(kind, item_id) == 0:
        queue.run_now(item_id)  # nothing queued before it: at once if the pace allows (else the runner has it)
    return item_id


def _post(services: AppServices, item: WorkItem) -> None:
    queue, channel, client = services.slack_queue, str(item.payload["channel"]), services.slack_for(item.team_id)
    try:
        queue.paced_call(item.team_id, "chat.postMessage", lambda: client.chat_postMessage(
            channel=channel, text=item.payload["text"], blocks=item.payload.get("blocks"),
            thread_ts=item.payload.get("thread_ts"), unfurl_links=False),
            channel=channel)
    except NotYet as later:  # the channel's posts queued before this one go first: wait about their turn
        raise NotYet(max(later.seconds, 0.9 * queue.ahead_of(POST, item.id)), str(later)) from later


def _update(services: AppServices, item: WorkItem) -> None:
    client = services.slack_for(item.team_id)
    services.slack_queue.paced_call(item.team_id, "chat.update", lambda: client.chat_update(
        channel=item.payload["channel"], ts=item.payload["ts"], text=item.payload["text"],
        blocks=item.payload.get("blocks")))
