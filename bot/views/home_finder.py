"""The manager's Home section "Is the expert finder helping?": a pure builder, beside the other sections."""

from __future__ import annotations

from bot.i18n.catalog import t
from bot.views.blocks import context, header
from bot.views.home import HomeBlock, duration, fields_section, share
from swarms.stats.finder_stats import FinderFigures


def finder_blocks(figures: FinderFigures, lang: str) -> list[dict]:
    """Join rate, time to join and resolutions credited to a suggestion, and which weights rank."""
    blocks = [header(t("home.finder.header", lang, days=figures.period.days))]
    if not figures.asked and not figures.resolutions:
        blocks.append(context(t("home.finder.none", lang)))
    else:
        blocks.append(fields_section([
            t("home.finder.joined", lang, rate=share(figures.join_rate, lang), joined=figures.joined,
              asked=figures.asked),
            t("home.finder.time_to_join", lang, median=duration(figures.median_join_s, lang)),
            t("home.finder.credited", lang, rate=share(figures.suggested_rate, lang), count=figures.by_suggested,
              total=figures.resolutions),
        ], block_id=HomeBlock.FINDER))
    version = figures.weights_version
    blocks.append(context(t("home.finder.weights_tuned", lang, version=version) if version
                          else t("home.finder.weights_default", lang)))
    return blocks
