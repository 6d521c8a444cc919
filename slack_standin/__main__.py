"""`python -m slack_standin [--port N] [--events-url URL] [--app-token xapp-…]`: a stand-in, until Ctrl-C.

With `--app-token` it also serves Socket Mode: point `case-swarm serve` at it with SLACK_API_URL and the
same SLACK_APP_TOKEN, and it connects through `apps.connections.open` as with Slack.
"""

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
    parser.add_argument("--app-token", help="serve Socket Mode for this app-level token (xapp-…)")
    options = parser.parse_args()
    with SlackStandIn(signing_secret=options.signing_secret, bot_token=options.bot_token, port=options.port,
                      app_token=options.app_token) as slack:
        if options.events_url:
            slack.deliver_events_to(options.events_url, asynchronous=True)
        elif options.app_token:
            slack.deliver_events_over_socket_mode(asynchronous=True)
        mode = f", Socket Mode for {options.app_token}" if options.app_token else ""
        print(f"Slack stand-in: {slack.api_url} (token {options.bot_token}{mode})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
