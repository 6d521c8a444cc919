"""The offer of existing work, shown by `/swarm <case>` and the shortcut before a new swarm opens.

Kept apart from the listeners so the command can call it and the offer's buttons (listeners/
existing_work.py) can call the command back without a circular import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.services import AppServices
from bot.views.existing_work import offer_message
from swarms.case_systems.base import CaseRecord
from swarms.opening.existing_work import find_existing_work

log = logging.getLogger(__name__)


def offer_existing_work(services: AppServices, team_id: str, case: CaseRecord, lang: str,
                        answer: Callable[..., None], *, place: str = "") -> bool:
    """Show the offer when there is work on the same problem; True when shown (nothing is opened then).

    `place` (a `--thread` or `--channel` asked for) travels in "Open a new swarm anyway"."""
    try:
        with services.sessions() as session:
            offers = find_existing_work(session, services.existing_work, team_id, case, services.cases.name)
    except Exception:  # looking for work already under way is a help, never a reason the swarm does not open
        log.exception("case %s: looking for existing work failed; opening without an offer", case.number)
        return False
    if not offers:
        return False
    log.debug("case %s: offered %s instead of a new swarm", case.number, [(o.kind, o.swarm_id) for o in offers])
    answer(**offer_message(case, offers, lang, place=place))
    return True
