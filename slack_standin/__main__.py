"""`python -m slack_standin [--port N] [--events-url URL]`: a stand-in for the demo, until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading

from slack_standin import SlackStandIn


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m slack_standin")
    parser.add_argument("--port", type=int, default=3999)
    parser.add_argument("--signing-secret", default="standin-signing-secret")
    parser.add_argument("--bot-token", default="xoxb-standin-token")
    parser.add_argument("--events-url", help="deliver workspace events to the bot here")
    options = parser.parse_args()
    with SlackStandIn(signing_secret=options.signing_secret, bot_token=options.bot_token, port=options.port) as slack:
        if options.events_url:
            slack.deliver_events_to(options.events_url, asynchronous=True)
        print(f"Slack stand-in: {slack.api_url} (token {options.bot_token})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
