"""Slack's side of OAuth v2 for the stand-in: the consent page, codes, `oauth.v2.access` and token rotation.

    slack = SlackStandIn(oauth=OAuthApp(token_rotation=True))
    acme = slack.add_workspace("T0ACME", "Acme")
    # the app's /slack/install sends the browser to {slack.url}/oauth/v2/authorize?client_id=…&state=…;
    # the person signed in there (`Browser.sign_in`) allows, and Slack redirects to the app with a code.

Tokens are per workspace: every Web API call is answered in the workspace its token belongs to. With token
rotation on (Slack's "Using token rotation"), bot tokens are `xoxe.xoxb-…` that expire after
`token_lifetime` seconds, and each refresh token works once: `oauth.v2.access` with grant_type
`refresh_token` returns a new access token and a new refresh token. Uninstalling revokes every token of
the workspace.
"""

from __future__ import annotations

import secrets
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_standin.errors import SlackError

if TYPE_CHECKING:
    from slack_standin.workspace import Workspace

OAUTH_METHODS = frozenset({"oauth.v2.access"})
CODE_SECONDS = 600  # Slack's codes expire after ten minutes


@dataclass
class OAuthApp:
    """The app as configured on api.slack.com: its credentials, redirect URL and whether tokens rotate."""

    client_id: str = "4242424242.1717171717"
    client_secret: str = "standin-client-secret"
    redirect_url: str = ""  # oauth_config.redirect_urls; an authorize request's redirect_uri must match it
    token_rotation: bool = False
    token_lifetime: int = 43_200  # seconds: Slack's 12 hours


@dataclass
class Grant:
    """One access token: whose it is, until when, and whether it still works."""

    workspace: Workspace
    expires_at: float | None = None
    revoked: bool = False


@dataclass
class _Code:
    workspace: Workspace
    user_id: str
    scopes: str
    redirect_uri: str
    expires_at: float


@dataclass
class _Refresh:
    workspace: Workspace
    scopes: str
    used: bool = False


@dataclass
class Redirect:
    """Where the consent page sends the browser: the app's redirect URL with a code (or an error) and the state."""

    location: str = ""
    error: str = ""  # the page's own error when there is nowhere to redirect (bad client id, bad redirect)
    status: int = 302


@dataclass
class TokenRegistry:
    """Every token the stand-in issued, across workspaces."""

    grants: dict[str, Grant] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, token: str, workspace: Workspace, expires_at: float | None = None) -> None:
        with self.lock:
            self.grants[token] = Grant(workspace, expires_at)

    def resolve(self, token: str, now: float) -> Workspace:
        """The workspace a token acts in, or Slack's error for it."""
        with self.lock:
            grant = self.grants.get(token)
        if grant is None:
            raise SlackError("invalid_auth")
        if grant.revoked:
            raise SlackError("token_revoked")
        if grant.expires_at is not None and now >= grant.expires_at:
            raise SlackError("token_expired")
        return grant.workspace

    def revoke_workspace(self, workspace: Workspace) -> None:
        with self.lock:
            for grant in self.grants.values():
                if grant.workspace is workspace:
                    grant.revoked = True


class OAuthServer:
    """Issues codes on the consent page and exchanges them (and refresh tokens) for tokens."""

    def __init__(self, app: OAuthApp, tokens: TokenRegistry, scopes_known: frozenset[str]) -> None:
        self.app = app
        self.tokens = tokens
        self.scopes_known = scopes_known
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {}
        self.exchanges: list[tuple[str, str]] = []  # (grant_type, team_id) of every successful exchange

    # the consent page ----------------------------------------------------------------------------------

    def authorize(self, query: dict[str, str], workspace: Workspace | None, user_id: str, *, allow: bool) -> Redirect:
        """GET /oauth/v2/authorize by a signed-in person who presses Allow (or Cancel)."""
        if query.get("client_id") != self.app.client_id:
            return Redirect(error="invalid_client_id", status=400)
        redirect_uri = query.get("redirect_uri") or self.app.redirect_url
        if not redirect_uri or (self.app.redirect_url and redirect_uri != self.app.redirect_url):
            return Redirect(error="bad_redirect_uri", status=400)
        state = query.get("state", "")
        if workspace is None:
            return Redirect(error="not_signed_in", status=401)
        if not allow:
            return Redirect(_with_query(redirect_uri, error="access_denied", state=state))
        scopes = query.get("scope", "")
        unknown = [s for s in scopes.split(",") if s and s not in self.scopes_known]
        if unknown:
            return Redirect(error=f"invalid_scope: {','.join(unknown)}", status=400)
        code = f"{workspace.team_id}.{secrets.token_hex(12)}"
        with self._lock:
            self._codes[code] = _Code(workspace, user_id, scopes, query.get("redirect_uri", ""),
                                      workspace.clock.now() + CODE_SECONDS)
        return Redirect(_with_query(redirect_uri, code=code, state=state))

    # oauth.v2.access -----------------------------------------------------------------------------------

    def access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("client_id") != self.app.client_id:
            raise SlackError("invalid_client_id")
        if args.get("client_secret") != self.app.client_secret:
            raise SlackError("bad_client_secret")
        grant_type = args.get("grant_type") or "authorization_code"
        if grant_type == "authorization_code":
            return self._exchange_code(args)
        if grant_type == "refresh_token":
            return self._refresh_token(str(args.get("refresh_token") or ""))
        raise SlackError("invalid_grant_type")

    def _exchange_code(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            code = self._codes.pop(str(args.get("code") or ""), None)
        if code is None:
            raise SlackError("invalid_code")  # unknown, or already exchanged once
        ws = code.workspace
        if ws.clock.now() >= code.expires_at:
            raise SlackError("invalid_code")
        if code.redirect_uri and args.get("redirect_uri") != code.redirect_uri:
            raise SlackError("bad_redirect_uri")
        with self._lock:
            self.exchanges.append(("authorization_code", ws.team_id))
        return {**self._tokens_for(ws, code.scopes), "authed_user": {"id": code.user_id}}

    def _refresh_token(self, refresh_token: str) -> dict[str, Any]:
        with self._lock:
            held = self._refresh.get(refresh_token)
            if held is None or held.used:
                raise SlackError("invalid_refresh_token")
            held.used = True  # Slack revokes a refresh token once it is used
            self.exchanges.append(("refresh_token", held.workspace.team_id))
        return self._tokens_for(held.workspace, held.scopes)

    def _tokens_for(self, ws: Workspace, scopes: str) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "app_id": ws.app_id, "token_type": "bot", "scope": scopes, "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.team_name}, "enterprise": None, "is_enterprise_install": False,
        }
        if not self.app.token_rotation:
            token = f"xoxb-{ws.team_id}-{secrets.token_hex(12)}"
            self.tokens.add(token, ws)
            return {**answer, "access_token": token}
        token = f"xoxe.xoxb-1-{ws.team_id}-{secrets.token_hex(24)}"
        refresh = f"xoxe-1-{ws.team_id}-{secrets.token_hex(24)}"
        self.tokens.add(token, ws, ws.clock.now() + self.app.token_lifetime)
        with self._lock:
            self._refresh[refresh] = _Refresh(ws, scopes)
        return {**answer, "access_token": token, "refresh_token": refresh, "expires_in": self.app.token_lifetime}


def _with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))

