"""`/swarm`: ack within Slack's 3 seconds, then do the work lazily and answer through response_url.

The ack answers what needs no I/O (usage, a bad argument) at once; everything else (reading the case,
Slack calls) runs after it. Features add subcommands (`experts`, `close`, ...) through the registry.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_bolt import App

from bot.i18n.catalog import t
from bot.opening.offers import offer_existing_work
from bot.opening.queued_opening import opened_text, queue_opening
from bot.registration import Listeners, team_of
from bot.replies import reply_privately
from bot.services import AppServices
from swarms.errors import BotNotInChannel, ThreadInSwarmChannel, ThreadNeedsChannel
from swarms.install.workspaces import swarm_mode_of
from swarms.models import SwarmMode
from swarms.opening.case_numbers import CASE_NUMBER
from swarms.opening.lifecycle import (
    OpenedSwarm,
    OpenRequest,
    claim_trigger,
    find_swarm_at,
    open_swarm_numbered,
    record_joiner,
    request_swarm,
)

log = logging.getLogger(__name__)
COMMAND = "/swarm"
SAY_WHEN_SECONDS = 2  # Slack holding an opening back longer than this: say roughly when
HELP_WORDS = frozenset({"", "help", "도움말", "?", "-h", "--help"})
# Where to open, per command (the workspace's swarm mode otherwise); Korean words for Korean agents.
PLACE_FLAGS = {"--thread": SwarmMode.THREAD, "--스레드": SwarmMode.THREAD,
               "--channel": SwarmMode.CHANNEL, "--채널": SwarmMode.CHANNEL}
DASHES = ("\u2014", "\u2013")  # macOS and iOS turn a typed "--" into an em (or en) dash


@dataclass(frozen=True, slots=True)
class SwarmCommand:
    """A parsed `/swarm` text: `word` is a subcommand, "open" for a case number, "help", "unknown", "bad_case",
    "bad_flag" (`args` then holds the flags at fault) or "flag_without_case"."""

    word: str
    args: tuple[str, ...] = ()
    raw: str = ""
    place: str = ""  # "open": SwarmMode asked with --thread / --channel; "" for the workspace's swarm mode


@dataclass
class CommandContext:
    services: AppServices
    command: SwarmCommand
    team_id: str  # the workspace the command came from
    user_id: str
    channel_id: str
    lang: str
    respond: Callable[..., object]
    body: dict

    def answer(self, text: str, **kwargs: object) -> None:
        """An ephemeral answer to the person who typed the command."""
        reply_privately(self.respond, text, **kwargs)


Handler = Callable[[CommandContext], None]


@dataclass
class SubcommandRegistry:
    handlers: dict[str, Handler] = field(default_factory=dict)
    quick_acks: dict[str, str] = field(default_factory=dict)  # subcommand → catalog key shown at ack

    def add(self, name: str, handler: Handler, *, ack_key: str | None = None) -> None:
        if name in self.handlers:
            raise ValueError(f"/swarm {name} is registered twice")
        self.handlers[name] = handler
        if ack_key:
            self.quick_acks[name] = ack_key


def parse_swarm_command(text: str, known: frozenset[str] | set[str]) -> SwarmCommand:
    text = unicodedata.normalize("NFKC", text or "")  # full-width ０００01026 (Korean and Japanese IMEs) is 00001026
    words = text.split()
    if not words or words[0].lower() in HELP_WORDS:
        return SwarmCommand("help", raw=text or "")
    head = words[0].lower()
    if head in known:
        return SwarmCommand(head, tuple(words[1:]), text)
    flags = [_flag(w) for w in words if _flag(w)]
    words = [w for w in words if not _flag(w)]
    if "--help" in flags:
        return SwarmCommand("help", raw=text)
    if flags:
        return _with_place(words, flags, text)
    if len(words) == 1 and CASE_NUMBER.match(words[0]):
        return SwarmCommand("open", (words[0].lstrip("#"),), text)
    if CASE_NUMBER.match(words[0]) or words[0].lstrip("#").isdigit():  # with more words, or far too long
        return SwarmCommand("bad_case", tuple(words), text)
    return SwarmCommand("unknown", tuple(words), text)


def _flag(word: str) -> str:
    """`--thread` (or `—thread`, as a phone types it) lower-cased; "" for a word that is not a flag."""
    for dash in DASHES:
        if word.startswith(dash):
            word = "--" + word[1:]
    return word.lower() if word.startswith("--") and len(word) > 2 else ""


def _with_place(words: list[str], flags: list[str], text: str) -> SwarmCommand:
    """`/swarm <case> --thread`: flags say only where to open, so a case number and one place are needed."""
    unknown = [f for f in flags if f not in PLACE_FLAGS]
    places = {PLACE_FLAGS[f] for f in flags if f in PLACE_FLAGS}
    if unknown or len(places) > 1:
        return SwarmCommand("bad_flag", tuple(unknown or flags), text)
    if len(words) != 1 or not CASE_NUMBER.match(words[0]):
        return SwarmCommand("bad_case" if words else "flag_without_case", tuple(words or flags), text)
    return SwarmCommand("open", (words[0].lstrip("#"),), text, place=places.pop())


def register(app: App, services: AppServices) -> None:
    registry = services.subcommands

    def lang_of(body: dict) -> str:
        return services.people.language_of(team_of(body), body.get("user_id", ""))

    def ack_swarm(ack, body: dict) -> None:
        command = parse_swarm_command(body.get("text", ""), set(registry.handlers))
        # Someone new to the bot is not cached yet: the ack, which cannot wait for Slack, speaks the team's
        # DEFAULT_LANGUAGE; the lazy step then learns their own.
        lang = services.people.cached_language_of(body.get("user_id", ""))
        quick = _quick_answer(command, lang)
        if quick is not None:
            ack(response_type="ephemeral", text=quick)
        elif command.word == "open":
            ack(response_type="ephemeral", text=t("swarm.opening", lang, case=command.args[0]))
        elif command.word in registry.quick_acks:
            ack(response_type="ephemeral", text=t(registry.quick_acks[command.word], lang))
        else:
            ack()

    def run_swarm(body: dict, respond) -> None:
        command = parse_swarm_command(body.get("text", ""), set(registry.handlers))
        if _quick_answer(command, "en") is not None:
            lang_of(body)  # answered in the ack; learn their language for the next answer
            return
        if not first_time_of(services, body):
            log.info("/swarm trigger %s already handled; a replayed command does nothing twice",
                     body.get("trigger_id"))
            return
        context = CommandContext(services, command, team_of(body), body["user_id"], body.get("channel_id", ""),
                                 lang_of(body), respond, body)
        handler = open_case if command.word == "open" else registry.handlers[command.word]
        handler(context)

    Listeners(app, services).command(COMMAND, ack=ack_swarm, lazy=[run_swarm])


def first_time_of(services: AppServices, body: dict) -> bool:
    """Slash commands carry no event id, but each has its own trigger_id: claim it once across replicas."""
    trigger_id = str(body.get("trigger_id") or "")
    if not trigger_id:
        return True
    with services.sessions.begin() as session:
        return claim_trigger(session, trigger_id)


def _quick_answer(command: SwarmCommand, lang: str) -> str | None:
    if command.word == "help":
        return t("swarm.usage", lang)
    if command.word == "unknown":
        return t("swarm.unknown_subcommand", lang, word=command.args[0]) + "\n" + t("swarm.usage", lang)
    if command.word == "bad_case":
        return t("swarm.bad_case_number", lang, text=command.raw.strip()[:80])
    if command.word == "bad_flag":
        key = "swarm.unknown_flag" if command.args[0] not in PLACE_FLAGS else "swarm.two_places"
        return t(key, lang, flag=command.args[0][:40])
    if command.word == "flag_without_case":
        return t("swarm.flag_without_case", lang, flag=command.args[0][:40])
    return None


def join_open_swarm(services: AppServices, opened: OpenedSwarm, user_id: str) -> None:
    """Into its channel (Slack's member_joined_channel records them); a thread swarm has no channel to join,
    so they are recorded as a member and get its link."""
    if opened.thread_ts:
        record_joiner(services.sessions, opened.swarm_id, user_id)
    else:
        services.workspace_for(opened.team_id).invite(opened.channel_id, [user_id])


def _check_thread_place(services: AppServices, team_id: str, channel_id: str, number: str) -> None:
    """A thread swarm needs a channel the bot is in (to post the card and hear the replies) that is not
    another swarm's channel (whose replies are that swarm's notes)."""
    if not channel_id or channel_id.startswith("D"):
        raise ThreadNeedsChannel(case=number)
    with services.sessions() as session:
        other = find_swarm_at(session, channel_id)
        if other is not None:
            raise ThreadInSwarmChannel(case=number, other=other.case_number)
    if not services.workspace_for(team_id).bot_is_member(channel_id):
        raise BotNotInChannel(case=number)


def _workspace_mode(services: AppServices, team_id: str) -> str:
    """Where a swarm opens when the command does not say: the workspace's choice, else the deployment's."""
    with services.sessions() as session:
        return swarm_mode_of(session, team_id, services.settings.opening.mode).mode


def _swarm_open_for(services: AppServices, team_id: str, number: str) -> bool:
    with services.sessions() as session:
        return open_swarm_numbered(session, team_id, services.cases.name, number) is not None


def open_case(ctx: CommandContext, *, offer: bool = True) -> OpenedSwarm | None:
    """Open (or join) the swarm of `ctx.command.args[0]` and answer; the swarm, for callers that go on.

    Before a new swarm is opened, work already existing on the same problem is offered instead (unless
    `offer` is off: the person chose "Open a new swarm anyway"); None then, and while another process
    is still opening it. A new swarm opens in its own channel, or in a thread of this channel (`--thread` /
    `--channel`, else the workspace's swarm mode, else SWARM_MODE); a swarm already open stays where it is."""
    services = ctx.services
    number, may_open = ctx.command.args[0], services.permissions.can_open_swarm(ctx.user_id)
    mode = ctx.command.place or _workspace_mode(services, ctx.team_id)
    already_open = _swarm_open_for(services, ctx.team_id, number)
    if mode == SwarmMode.THREAD and may_open and not already_open:
        _check_thread_place(services, ctx.team_id, ctx.channel_id, number)
    case = None
    if offer and may_open and services.settings.opening.offer_existing and not already_open:
        case = services.cases.get_case(number)
        if not case.is_closed and offer_existing_work(services, ctx.team_id, case, ctx.lang, ctx.answer,
                                                      place=ctx.command.place):
            return None
    request = OpenRequest(ctx.team_id, number, ctx.user_id, ctx.lang, reply_to=str(ctx.body.get("response_url") or ""),
                          may_open=may_open, case=case, mode=mode, team_channel=ctx.channel_id,
                          team_channel_name=str(ctx.body.get("channel_name") or ""))
    requested = request_swarm(services.sessions, services.cases, request)
    if requested.opened is not None:
        join_open_swarm(services, requested.opened, ctx.user_id)
        ctx.answer(opened_text(services, requested.opened, ctx.lang, already=True))
        return requested.opened
    queued = queue_opening(services, requested)
    if queued.done:
        return queued.opened  # everyone who asked, this person included, was told the channel
    if queued.error:
        ctx.answer(t("swarm.retrying", ctx.lang, case=requested.case.number, error=queued.error))
    elif queued.eta_seconds >= SAY_WHEN_SECONDS:
        ctx.answer(t("swarm.queued", ctx.lang, case=requested.case.number, seconds=round(queued.eta_seconds)))
    else:
        ctx.answer(t("swarm.being_opened", ctx.lang, case=requested.case.number))
    return None
