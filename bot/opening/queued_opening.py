"""The Slack side of opening a swarm, as queued work: claimed (swarms.opening.finish), paced, carried on by any replica.

`/swarm <case>` queues one `slack.open_swarm` row per swarm (a dedupe key, so concurrent or replayed
requests share it) and runs it at once when Slack's pace allows. Once the swarm is open, everyone who
asked is told the channel through their own command's response_url (5 replies within 30 minutes, not
a rate-limited Web API method); the features' `after_open` hooks and the case bookmark follow as their
own rows, the bookmark last, so a burst spends `conversations.create`'s budget on channels first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.webhook import WebhookClient

from bot.i18n.catalog import t
from bot.services import AppServices
from bot.slack.identity import workspace_url
from bot.slack.pacing import bucket_of
from bot.slack.work_queue import NotYet, SlackQueue, case_from_json, case_to_json, channel_order
from bot.slack.workspace import PACED
from bot.views.swarm_place import place_text
from swarms.case_systems.base import CaseRecord
from swarms.jobs.claimed_work import WorkItem
from swarms.models import Swarm, SwarmStatus
from swarms.opening.finish import WaitingAsker, finish_opening, give_up_thread_opening, save_link, welcome_askers
from swarms.opening.lifecycle import OpenedSwarm, SwarmRequested, opened_swarm
from swarms.ports import WorkspaceRefused

log = logging.getLogger(__name__)
OPEN_SWARM = "slack.open_swarm"
AFTER_OPEN = "slack.after_open"
SAVE_LINK = "slack.save_link"
HELD_BY_ANOTHER_SECONDS = 5.0  # an older attempt's lease on the swarm row: look again soon
# A thread swarm's card refused for good: the bot is not in the team channel (any more), or it is archived.
CHANNEL_REFUSED = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


@dataclass(frozen=True, slots=True)
class QueuedOpening:
    done: bool  # opened (and the askers told) before the answer
    opened: OpenedSwarm | None
    eta_seconds: float  # otherwise, about when Slack's pace lets it open
    error: str = ""  # Slack refused a step: the queue tries again by itself


def register(services: AppServices) -> None:
    queue = services.slack_queue
    queue.handle(OPEN_SWARM, lambda item: _open_swarm(services, item))
    queue.handle(AFTER_OPEN, lambda item: _after_open(services, item))
    queue.handle(SAVE_LINK, lambda item: _save_link(services, item))


def queue_opening(services: AppServices, requested: SwarmRequested) -> QueuedOpening:
    """Queue the swarm's opening and run it now if Slack's pace allows; never waits for it."""
    queue = services.slack_queue
    key = opening_key(requested.swarm_id)
    payload = {"swarm_id": requested.swarm_id, "case": case_to_json(requested.case)}
    item_id = (queue.enqueue(OPEN_SWARM, payload, team_id=requested.team_id, key=key, run_here=True)
               or queue.item_id(key))
    outcome = queue.run_now(item_id) if item_id is not None else None
    if outcome is not None and outcome.done:
        return QueuedOpening(True, _opened_now(services, requested), 0.0)
    ahead = queue.ahead_of(OPEN_SWARM, item_id or 0)
    return QueuedOpening(False, None, queue.pacer.eta(requested.team_id, "conversations.create", ahead + 1),
                         error=outcome.error if outcome is not None else "")


def _opened_now(services: AppServices, requested: SwarmRequested) -> OpenedSwarm | None:
    with services.sessions() as session:
        swarm = session.get(Swarm, requested.swarm_id)
        if swarm is None or swarm.status != SwarmStatus.OPEN:
            return None
        return opened_swarm(swarm, requested.case, created=requested.created)


def _paced(services: AppServices, team_id: str):
    return services.workspace_for(team_id).paced(services.slack_queue.pacer, team_id)


def _not_yet(queue: SlackQueue, team_id: str, refused: WorkspaceRefused, *, spread: float = 0.0) -> NotYet:
    """A refusal with a Retry-After (our pace, or Slack's 429) puts the row back; a 429 holds the bucket."""
    if refused.code != PACED:
        queue.pacer.hold(team_id, refused.method, refused.channel, refused.retry_after or 1.0)
    return NotYet(max(refused.retry_after or 1.0, spread), f"{refused.method}: {refused.code}")


def _open_swarm(services: AppServices, item: WorkItem) -> None:
    queue, sessions = services.slack_queue, services.sessions
    swarm_id = int(item.payload["swarm_id"])
    case = case_from_json(item.payload["case"])
    workspace = _paced(services, item.team_id)
    try:
        finish_opening(sessions, workspace, swarm_id, case, holder=f"work:{item.id}")
        askers = welcome_askers(sessions, workspace, swarm_id)
    except WorkspaceRefused as refused:
        if refused.code in CHANNEL_REFUSED and _in_thread(services, swarm_id):
            _give_up(services, swarm_id, case)
            return
        if refused.retry_after is None:
            raise
        raise _not_yet(queue, item.team_id, refused, spread=_turn(queue, item, refused)) from refused
    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        status = swarm.status if swarm is not None else None
    if status == SwarmStatus.OPENING:
        raise NotYet(HELD_BY_ANOTHER_SECONDS, "an earlier attempt still holds the opening")
    if status != SwarmStatus.OPEN:
        return  # abandoned or closed meanwhile: nothing left to open
    opened = opened_swarm(swarm, case, created=True)
    for asker in askers:
        tell_opened(services, asker, opened)
    payload = {"swarm_id": swarm_id, "case": item.payload["case"]}
    team_id = item.team_id
    # The features' posts (suggestions) come first in the swarm's place: a notice queued since waits for them.
    follow_ups = [queue.enqueue(AFTER_OPEN, payload, team_id=team_id, key=f"after_open:{swarm_id}", priority=150,
                                run_here=True, order_key=channel_order(team_id, opened.channel_id, opened.thread_ts)),
                  queue.enqueue(SAVE_LINK, payload, team_id=team_id, key=f"save_link:{swarm_id}", priority=200,
                                run_here=True)]
    for follow_up in follow_ups:  # at once when the pace allows; otherwise the runner takes them when due
        if follow_up is not None:
            queue.run_now(follow_up)


def opening_key(swarm_id: int) -> str:
    return f"open_swarm:{swarm_id}"


def _in_thread(services: AppServices, swarm_id: int) -> bool:
    with services.sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        return swarm is not None and swarm.in_thread


def _give_up(services: AppServices, swarm_id: int, case: CaseRecord) -> None:
    """The bot left (or lost) the team channel between the check and the card: say so, keep nothing."""
    askers = give_up_thread_opening(services.sessions, swarm_id)
    services.slack_queue.release_key(opening_key(swarm_id))
    for asker in askers:
        _tell(asker, t("thread.bot_not_in_channel", asker.lang, case=case.number), swarm_id)


def _turn(queue: SlackQueue, item: WorkItem, refused: WorkspaceRefused) -> float:
    """Openings queued behind this one wait about their turn, rather than all waking for the next slot."""
    bucket = bucket_of(item.team_id, refused.method, refused.channel)
    if refused.method != "conversations.create" or bucket is None:
        return 0.0
    return 0.9 * queue.ahead_of(OPEN_SWARM, item.id) * bucket.interval


def tell_opened(services: AppServices, asker: WaitingAsker, opened: OpenedSwarm) -> None:
    if not asker.reply_to:
        return
    _tell(asker, opened_text(services, opened, asker.lang), opened.swarm_id)


def _tell(asker: WaitingAsker, text: str, swarm_id: int) -> None:
    if not asker.reply_to:
        return
    try:
        WebhookClient(asker.reply_to, timeout=10).send(text=text, response_type="ephemeral", replace_original=False)
    except Exception:  # an expired response_url must not stop the others being told
        log.exception("telling %s about swarm %s failed", asker.user_id, swarm_id)


def opened_text(services: AppServices, opened: OpenedSwarm, lang: str, *, already: bool = False) -> str:
    """"Swarm for case … is open" (or already was), naming its channel, or its thread with a link."""
    if not opened.thread_ts:
        key = "swarm.already_open" if already else "swarm.opened"
        return t(key, lang, case=opened.case.number, channel=opened.channel_id)
    place = place_text(opened.channel_id, opened.thread_ts, workspace_url=workspace_url(services, opened.team_id),
                       lang=lang)
    key = "swarm.already_open_thread" if already else "swarm.opened_thread"
    return t(key, lang, case=opened.case.number, place=place)


def _after_open(services: AppServices, item: WorkItem) -> None:
    """The features' hooks (expert suggestions, ...) once per swarm; they post in its channel."""
    opened = _opened(services, item)
    if opened is None:
        return
    wait = services.slack_queue.pacer.take(item.team_id, "chat.postMessage", opened.channel_id)
    if wait > 0:
        raise NotYet(wait, "chat.postMessage: paced")
    for hook in services.hooks.after_open:
        try:
            hook(services, opened)
        except Exception:  # the swarm is open and its askers told; a feature failing must not undo that
            log.exception("an after-open hook failed for swarm %s", opened.swarm_id)


def _save_link(services: AppServices, item: WorkItem) -> None:
    opened = _opened(services, item)
    if opened is None:
        return
    try:
        save_link(services.sessions, _paced(services, item.team_id), opened.swarm_id, opened.case)
    except WorkspaceRefused as refused:
        if refused.retry_after is None:
            raise
        raise _not_yet(services.slack_queue, item.team_id, refused) from refused


def _opened(services: AppServices, item: WorkItem) -> OpenedSwarm | None:
    with services.sessions() as session:
        swarm = session.get(Swarm, int(item.payload["swarm_id"]))
        if swarm is None or not swarm.channel_id:
            return None
        case: CaseRecord = case_from_json(item.payload["case"])
        return opened_swarm(swarm, case, created=True)
