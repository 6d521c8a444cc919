"""The offer shown before a new swarm opens: work already under way or done on the same problem."""

from __future__ import annotations

import enum

from bot.i18n.catalog import t
from bot.views.blocks import actions, button, clip, context, escape_mrkdwn, section
from swarms.case_systems.base import CaseRecord
from swarms.opening.existing_work import ExistingWork, WorkKind

DETAIL_CHARS = 240


class OfferAction(enum.StrEnum):
    JOIN = "swarm.offer.join"
    READ = "swarm.offer.read"
    OPEN_ANYWAY = "swarm.offer.open_anyway"


def offer_message(case: CaseRecord, offers: list[ExistingWork], lang: str, *, place: str = "") -> dict:
    """The offer; "Open a new swarm anyway" carries the command as typed (`00001026 --thread`)."""
    open_anyway = f"{case.number[:64]} --{place}" if place else case.number[:64]
    blocks = [section(t("offer.intro", lang, case=escape_mrkdwn(case.number), subject=escape_mrkdwn(case.subject)))]
    for work in offers:
        blocks.append(_offer_block(work, lang))
    blocks.append(actions(button(t("offer.open_anyway", lang), OfferAction.OPEN_ANYWAY, value=open_anyway,
                                 style="primary")))
    blocks.append(context(t("offer.why", lang)))
    return {"text": t("offer.fallback", lang, case=case.number, count=len(offers)), "blocks": blocks}


def _offer_block(work: ExistingWork, lang: str) -> dict:
    title, number = escape_mrkdwn(clip(work.title, 150)), escape_mrkdwn(work.case_number)
    if work.kind == WorkKind.OPEN_SWARM:
        return section(t("offer.open_swarm", lang, case=number, title=title, channel=work.channel_id),
                       accessory=button(t("offer.join", lang), OfferAction.JOIN, value=str(work.swarm_id)))
    detail = escape_mrkdwn(clip(" ".join(work.detail.split()), DETAIL_CHARS))
    if work.kind == WorkKind.ARTICLE:
        link = work.location if work.location.startswith(("https://", "http://")) else ""
        text = t("offer.article", lang, case=number, title=title, detail=detail)
        if link:
            return section(text, accessory=button(t("offer.read", lang), OfferAction.READ, url=link, value=link[:64]))
        return section(text + "\n" + t("offer.article_at", lang, location=escape_mrkdwn(work.location)))
    return section(t("offer.resolved", lang, case=number, title=title, detail=detail))
