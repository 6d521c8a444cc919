"""What the browser sees at the end of an install (/slack/oauth_redirect): our pages, in both languages,
instead of Bolt's English defaults; each failure says what happened and that nothing was installed."""

from __future__ import annotations

import logging

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.response import BoltResponse

from bot.install.oauth import INSTALL_PATH, STATE_SECONDS
from bot.views.install_pages import InstallOutcome, InstallPage, install_page

log = logging.getLogger(__name__)

# Bolt's failure reasons → what the page says and the status it answers with.
_FAILURES = {
    "access_denied": (InstallOutcome.CANCELLED, 200),  # the person pressed Cancel on Slack's page
    "invalid_browser": (InstallOutcome.BAD_LINK, 400),  # the state is not this browser's (no or another cookie)
    "invalid_state": (InstallOutcome.BAD_LINK, 400),  # forged, expired or already used
    "missing_code": (InstallOutcome.NO_CODE, 400),
    "invalid_code": (InstallOutcome.NO_CODE, 400),
}


def install_callbacks() -> CallbackOptions:
    return CallbackOptions(success=_installed, failure=_failed)


def _installed(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    team = installation.team_name or installation.team_id or ""
    log.info("installed in workspace %s (%s)", team, installation.team_id)
    slack_url = f"https://slack.com/app_redirect?app={installation.app_id}&team={installation.team_id}"
    return _page(200, InstallPage(InstallOutcome.DONE, team=team, slack_url=slack_url))


def _failed(args: FailureArgs) -> BoltResponse:
    outcome, status = _FAILURES.get(args.reason, (InstallOutcome.FAILED, 500))
    if outcome is InstallOutcome.FAILED:
        log.error("install failed: %s", args.reason, exc_info=args.error)
    else:
        log.info("install not finished: %s", args.reason)
    return _page(status, InstallPage(outcome, install_path=INSTALL_PATH, link_minutes=STATE_SECONDS // 60))


def _page(status: int, page: InstallPage) -> BoltResponse:
    return BoltResponse(status=status, body=install_page(page), headers={"Content-Type": "text/html; charset=utf-8"})
