"""The Slack side of opening a swarm: finish it (claimed, see swarms.opening), then tell everyone who asked.

Each asker gets the channel link through their own command's response_url (it takes 5 replies within
30 minutes and is not a rate-limited Web API method), then the features' `after_open` hooks run once.
"""

from __future__ import annotations

import logging

from slack_sdk.webhook import WebhookClient

from bot.i18n.catalog import t
from bot.services import AppServices
from swarms.case_systems.base import CaseRecord
from swarms.lifecycle import OpenedSwarm
from swarms.opening import FinishedOpening, WaitingAsker, finish_opening, new_holder

log = logging.getLogger(__name__)


def finish_and_tell(services: AppServices, swarm_id: int, case: CaseRecord) -> FinishedOpening | None:
    """Finish the opening if nobody else holds it; None when another process does (it will tell them)."""
    finished = finish_opening(services.sessions, services.workspace, swarm_id, case, holder=new_holder())
    if finished is None:
        return None
    for asker in finished.askers:
        tell_opened(asker, finished.opened)
    run_after_open(services, finished.opened)
    return finished


def tell_opened(asker: WaitingAsker, opened: OpenedSwarm) -> None:
    if not asker.reply_to:
        return
    text = t("swarm.opened", asker.lang, case=opened.case.number, channel=opened.channel_id)
    try:
        WebhookClient(asker.reply_to, timeout=10).send(text=text, response_type="ephemeral", replace_original=False)
    except Exception:  # an expired response_url must not stop the others being told
        log.exception("telling %s that swarm %s is open failed", asker.user_id, opened.swarm_id)


def run_after_open(services: AppServices, opened: OpenedSwarm) -> None:
    for hook in services.extras.get("after_open", []):
        try:
            hook(services, opened)
        except Exception:  # the swarm is open and its askers told; a feature failing must not undo that
            log.exception("an after-open hook failed for swarm %s", opened.swarm_id)
