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
from bot.offers import offer_existing_work
from bot.registration import Listeners
from bot.replies import reply_privately
from bot.services import AppServices
from bot.swarm_opening import queue_opening
from swarms.opening.case_numbers import CASE_NUMBER
from swarms.opening.lifecycle import OpenedSwarm, OpenRequest, claim_trigger, open_swarm_numbered, request_swarm

log = logging.getLogger(__name__)
COMMAND = "/swarm"
SAY_WHEN_SECONDS = 2  # Slack holding an opening back longer than this: say roughly when
HELP_WORDS = frozenset({"", "help", "도움말", "?", "-h", "--help"})


@dataclass(frozen=True, slots=True)
class SwarmCommand:
    """A parsed `/swarm` text: `word` is a subcommand, "open" for a case number, "help" or "unknown"."""

    word: str
    args: tuple[str, ...] = ()
    raw: str = ""


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


def team_of(body: dict) -> str:
    """The workspace a request came from: a command says `team_id`, an interaction its `team` (or user's)."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    return str(team or "")


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
    if len(words) == 1 and CASE_NUMBER.match(words[0]):
        return SwarmCommand("open", (words[0].lstrip("#"),), text)
    if CASE_NUMBER.match(words[0]) or words[0].lstrip("#").isdigit():  # with more words, or far too long
        return SwarmCommand("bad_case", tuple(words), text)
    return SwarmCommand("unknown", tuple(words), text)


def register(app: App, services: AppServices) -> None:
    registry = services.subcommands

    def lang_of(body: dict) -> str:
        return services.people.language_of(body.get("user_id", ""))

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
    return None


def _swarm_open_for(services: AppServices, team_id: str, number: str) -> bool:
    with services.sessions() as session:
        return open_swarm_numbered(session, team_id, services.cases.name, number) is not None


def open_case(ctx: CommandContext, *, offer: bool = True) -> OpenedSwarm | None:
    """Open (or join) the swarm of `ctx.command.args[0]` and answer; the swarm, for callers that go on.

    Before a new swarm is opened, work already existing on the same problem is offered instead (unless
    `offer` is off: the person chose "Open a new swarm anyway"); None then, and while another process
    is still opening it."""
    services = ctx.services
    number, may_open = ctx.command.args[0], services.permissions.can_open_swarm(ctx.user_id)
    case = None
    offering = offer and may_open and services.settings.opening.offer_existing
    if offering and not _swarm_open_for(services, ctx.team_id, number):
        case = services.cases.get_case(number)
        if not case.is_closed and offer_existing_work(services, ctx.team_id, case, ctx.lang, ctx.answer):
            return None
    request = OpenRequest(ctx.team_id, number, ctx.user_id, ctx.lang, reply_to=str(ctx.body.get("response_url") or ""),
                          may_open=may_open, case=case)
    requested = request_swarm(services.sessions, services.cases, request)
    if requested.opened is not None:
        services.workspace.invite(requested.opened.channel_id, [ctx.user_id])
        ctx.answer(t("swarm.already_open", ctx.lang, case=requested.case.number, channel=requested.opened.channel_id))
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
