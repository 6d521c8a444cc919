"""The replica drill's traffic: Slack as it behaves towards several replicas, and what reached each side.

`Traffic` holds the Slack stand-in (the bot's Web API), the Salesforce stand-in (the case system over
HTTP) and the fleet of bot processes. It sends signed slash commands and message events to replicas
the way a load balancer would (round robin, another replica when one does not answer), each message
event a second time as Slack's retry to a *different* replica, and reads back what the workspace and
the case now hold: channels and cards per case, side effects per job, notes per case in arrival order.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.replica_fleet import Fleet, Replica
from bench.salesforce_standin import SalesforceStandIn
from slack_standin import DriverResult, SlackStandIn

SECRET = "drill-signing-secret"
TOKEN = "xoxb-drill-bot-token"
AGENT, EXPERT, MANAGER = "U0DRILLAG1", "U0DRILLEX1", "U0DRILLMG1"
NOTE = re.compile(r"drill note (\d{8})#(\d+)")


@dataclass
class Sent:
    case: str
    n: int
    acked: bool
    results: list[DriverResult]


@dataclass
class Traffic:
    slack: SlackStandIn
    salesforce: SalesforceStandIn
    fleet: Fleet
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(48, thread_name_prefix="drill"))
    sent: list[Sent] = field(default_factory=list)
    channels: dict[str, str] = field(default_factory=dict)  # case number -> swarm channel
    _numbers: dict[str, itertools.count] = field(default_factory=dict)
    _turn: itertools.count = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, fleet: Fleet) -> Traffic:
        slack = SlackStandIn(signing_secret=SECRET, bot_token=TOKEN, team_name="Drill Support").start()
        ws = slack.workspace
        ws.add_user("dana", id=AGENT, real_name="Dana Agent", email="dana@drill.example", locale="en-US")
        ws.add_user("jiwoo", id=EXPERT, real_name="김지우", email="jiwoo@drill.example", locale="ko-KR")
        ws.add_user("mira", id=MANAGER, real_name="Mira Manager", email="mira@drill.example", locale="en-US")
        return cls(slack, SalesforceStandIn().start(), fleet)

    def stop(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.salesforce.stop()
        self.slack.stop()

    # sending -------------------------------------------------------------------------------------------

    def web_replicas(self) -> list[Replica]:
        return self.fleet.alive("serve")

    def _send(self, replica_index: int, send) -> DriverResult:
        """As a load balancer: the replica whose turn it is, or the next one when it does not answer."""
        replicas = self.web_replicas()
        result = DriverResult(None, "no replica alive", 0.0)
        for offset in range(len(replicas)):
            replica = replicas[(replica_index + offset) % len(replicas)]
            result = send(self.slack.driver(replica.events_url, timeout=10))
            if result.status is not None:
                return result
        return result

    def command(self, text: str, *, user: str = AGENT, channel: str | None = None,
                replica_index: int | None = None) -> DriverResult:
        index = next(self._turn) if replica_index is None else replica_index
        channel = channel or self.slack.workspace.general_id
        return self._send(index, lambda driver: driver.command("/swarm", text, user=user, channel=channel))

    def same_command_to(self, text: str, replica_indexes: list[int], *, replay: bool) -> list[DriverResult]:
        """One `/swarm` sent to several replicas at once: the same request (trigger id) when `replay`,
        else each its own, as when several agents (or one, clicking twice) open the case together."""
        ws = self.slack.workspace
        first = self.slack.driver(self.web_replicas()[0].events_url)
        fields = {"token": first.verification_token, "team_id": ws.team_id, "team_domain": ws.domain,
                  "channel_id": ws.general_id, "channel_name": "general", "user_id": AGENT, "user_name": "dana",
                  "command": "/swarm", "text": text, "api_app_id": ws.app_id, "is_enterprise_install": "false",
                  "response_url": first._response_url(AGENT, ws.general_id), "trigger_id": ws.new_trigger(AGENT)}

        def send(index: int) -> DriverResult:
            if replay:
                return self._send(index, lambda driver: driver.send_form(fields))
            return self.command(text, replica_index=index)

        return list(self.pool.map(send, replica_indexes))

    def post(self, case: str, *, retry: bool = True) -> Sent:
        """The agent writes in the swarm channel; the event goes to one replica and (Slack's retry, at the
        same time) to the next; ack times are the first delivery's."""
        n = next(self._numbers.setdefault(case, itertools.count(1)))
        with self.slack.outbox.capturing() as events:
            self.slack.workspace.post_message(self.channels[case], user=AGENT, text=f"drill note {case}#{n}")
        turn = next(self._turn)
        driver = self.slack.driver(self.web_replicas()[0].events_url)
        envelope = driver.envelope(events[0])
        first = self.pool.submit(self._send, turn, lambda d: d.send_envelope(envelope))
        again = self.pool.submit(self._send, turn + 1, lambda d: d.send_envelope(
            envelope, retry_num=1, retry_reason="http_timeout")) if retry else None
        results = [first.result()] + ([again.result()] if again else [])
        sent = Sent(case, n, any(r.ok for r in results), results)
        with self._lock:
            self.sent.append(sent)
        return sent

    def post_serially(self, cases: list[str], per_case: int, *, retry: bool = True,
                      rate: float | None = None, stop_at: float | None = None) -> list[Sent]:
        """Each case's messages one after another (so their capture order is known), cases side by side;
        with `rate`, paced to that many requests a second in all."""
        started = time.monotonic()

        def one_case(position: int, case: str) -> list[Sent]:
            out = []
            for k in range(per_case):
                if stop_at is not None and time.monotonic() > stop_at:
                    break
                if rate:
                    due = started + (k * len(cases) + position) / rate
                    time.sleep(max(0.0, due - time.monotonic()))
                out.append(self.post(case, retry=retry))
            return out

        with ThreadPoolExecutor(len(cases), thread_name_prefix="drill-case") as cases_pool:
            batches = list(cases_pool.map(lambda pair: one_case(*pair), enumerate(cases)))
        return [sent for batch in batches for sent in batch]

    # reading back --------------------------------------------------------------------------------------

    def notes_by_case(self) -> dict[str, list[int]]:
        """Drill notes in the order Salesforce received them, per case number."""
        with self.salesforce.lock:
            bodies = [c.get("CommentBody", "") for c in self.salesforce.comments]
        out: dict[str, list[int]] = {}
        for body in bodies:
            for case, n in NOTE.findall(body):
                out.setdefault(case, []).append(int(n))
        return out

    def waiting_notes(self) -> int:
        """Acknowledged notes not yet in Salesforce."""
        arrived = {(case, n) for case, ns in self.notes_by_case().items() for n in ns}
        with self._lock:
            return sum(1 for s in self.sent if s.acked and (s.case, s.n) not in arrived)

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [args for _, args in self.slack.calls(method)]

    def channels_created(self, case: str) -> int:
        return sum(1 for args in self.calls("conversations.create") if case in str(args.get("name", "")))

    def cards_posted(self, case: str) -> int:
        """Case cards posted for `case`, in either language ("Case N: …" / "케이스 N: …")."""
        return sum(1 for args in self.calls("chat.postMessage")
                   if str(args.get("text", "")).split(" ", 1)[-1].startswith(f"{case}:"))

    def posts_in(self, channel: str, starting: str) -> int:
        return sum(1 for args in self.calls("chat.postMessage")
                   if args.get("channel") == channel and str(args.get("text", "")).startswith(starting))

    def archives_of(self, channel: str) -> int:
        return sum(1 for args in self.calls("conversations.archive") if args.get("channel") == channel)


def inversions(sequence: list[int]) -> int:
    """Pairs that reached the case in the wrong order (a later-captured note before an earlier one)."""
    return sum(1 for i, a in enumerate(sequence) for b in sequence[i + 1:] if a > b)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wait_for(condition, timeout: float, step: float = 0.1) -> float | None:
    """Seconds until `condition()` held, or None if it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None
