"""The Web API front desk: token and scope checks, injected faults, the call log, then the method itself."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_standin import methods_conversations, methods_messages
from slack_standin.args import Args
from slack_standin.errors import SlackError
from slack_standin.oauth import OAUTH_METHODS, OAuthServer, TokenRegistry
from slack_standin.rate_limits import RateLimits
from slack_standin.workspace import Workspace

METHODS = {**methods_conversations.METHODS, **methods_messages.METHODS}
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})  # called with the xapp- token, not the bot's

# Scopes a bot token needs per method (any one of them will do), as Slack's method pages list them.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "conversations.create": ("channels:manage", "groups:write"),
    "conversations.invite": ("channels:manage", "groups:write"),
    "conversations.kick": ("channels:manage", "groups:write"),
    "conversations.archive": ("channels:manage", "groups:write"),
    "conversations.unarchive": ("channels:manage", "groups:write"),
    "conversations.setTopic": ("channels:manage", "groups:write"),
    "conversations.setPurpose": ("channels:manage", "groups:write"),
    "conversations.join": ("channels:join",),
    "conversations.open": ("im:write", "mpim:write"),
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.list": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.members": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "users.profile.get": ("users.profile:read",),
    "usergroups.users.list": ("usergroups:read",),
    "team.info": ("team:read",),
    "reactions.add": ("reactions:write",),
    "reactions.remove": ("reactions:write",),
    "reactions.get": ("reactions:read",),
    "pins.add": ("pins:write",),
    "bookmarks.add": ("bookmarks:write",),
    "bookmarks.list": ("bookmarks:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}
ALL_SCOPES = frozenset(s for scopes in METHOD_SCOPES.values() for s in scopes)


@dataclass
class Fault:
    error: str | None
    status: int
    retry_after: int | None
    times: int | None  # None: until cleared


@dataclass
class ApiAnswer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class WebApi:
    """Answers one Web API call the way Slack would, and remembers it."""

    def __init__(self, workspace: Workspace, *, bot_token: str, scopes: set[str] | None = None,
                 app_token: str | None = None, open_connection: Callable[[], str] | None = None,
                 rate_limits: RateLimits | None = None, tokens: TokenRegistry | None = None,
                 oauth: OAuthServer | None = None) -> None:
        self.workspace = workspace  # the first workspace; others come with their tokens (see slack_standin.oauth)
        self.tokens = tokens or TokenRegistry()
        self.tokens.add(bot_token, workspace)
        self.workspaces: dict[str, Workspace] = {workspace.team_id: workspace}  # by team id
        self.oauth = oauth
        self.rate_limits = rate_limits  # None: no limits (most tests); see slack_standin.rate_limits
        self.bot_token = bot_token
        self.app_token = app_token  # the app-level token (xapp-…) that may call apps.connections.open
        self.open_connection = open_connection  # Socket Mode: a fresh WebSocket URL
        self.scopes = frozenset(scopes) if scopes is not None else ALL_SCOPES
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._acted: list[tuple[str, str, dict[str, Any]]] = []  # (team the token acted in, method, args)
        self._errors: list[tuple[str, str]] = []

    # test controls -----------------------------------------------------------------------------------

    def fail_next(self, method: str, error: str | None = None, *, status: int = 200, retry_after: int | None = None,
                  times: int | None = 1, **_: Any) -> None:
        """The next `times` calls of `method` fail: `error` as `ok: false`, or an HTTP `status` (429 = rate limited)."""
        if error is None and status == 200:
            raise ValueError("give an error code or an HTTP status")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.setdefault(method, []).append(Fault(error, status, retry_after, times))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int | None = 1) -> None:
        self.fail_next(method, status=429, retry_after=retry_after, times=times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def calls(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Every call so far as (method, args without the token), failed and rate-limited ones included."""
        with self._lock:
            return copy.deepcopy([c for c in self._calls if method is None or c[0] == method])

    def calls_by_workspace(self, method: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """(team id, method, args) of every call a bot token made, naming the workspace that token acts in:
        which workspace's token made each call (several workspaces, installed by OAuth)."""
        with self._lock:
            return copy.deepcopy([c for c in self._acted if method is None or c[1] == method])

    def errors_answered(self) -> list[tuple[str, str]]:
        """(method, error code) of every `ok: false` answer, injected faults included."""
        with self._lock:
            return list(self._errors)

    # answering ---------------------------------------------------------------------------------------

    def handle(self, method: str, values: dict[str, Any], *, token: str | None) -> ApiAnswer:
        answer = self._answer(method, values, token=token)
        if not answer.body.get("ok"):
            with self._lock:
                self._errors.append((method, answer.body.get("error", "")))
        return answer

    def _answer(self, method: str, values: dict[str, Any], *, token: str | None) -> ApiAnswer:
        args = {k: v for k, v in values.items() if k != "token"}
        with self._lock:
            self._calls.append((method, copy.deepcopy(args)))
        token = token or values.get("token")
        headers = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))}
        if method in OAUTH_METHODS:  # authenticated by the app's client id and secret, not a token
            return self._oauth(method, args, headers)
        if not token:
            return ApiAnswer(200, SlackError("not_authed").body(), headers)
        if method in APP_LEVEL_METHODS or token.startswith("xapp-"):
            return self._app_level(method, token, headers)
        try:
            workspace = self.tokens.resolve(token, self.workspace.clock.now())
        except SlackError as error:
            return ApiAnswer(200, error.body(), headers)
        with self._lock:
            self._acted.append((workspace.team_id, method, copy.deepcopy(args)))
        fault = self._take_fault(method)
        if fault is not None:
            return _fault_answer(fault, headers)
        if self.rate_limits is not None:
            retry_after = self.rate_limits.check(method, args, self.workspace.clock.now())
            if retry_after is not None:
                limited = {**headers, "Retry-After": str(retry_after)}
                return ApiAnswer(429, {"ok": False, "error": "ratelimited"}, limited)
            if (size := self.rate_limits.page_size(method, _int_or_none(args.get("limit")))) is not None:
                args["limit"] = size
        handler = METHODS.get(method)
        if handler is None:
            return ApiAnswer(200, {"ok": False, "error": "unknown_method", "req_method": method}, headers)
        needed = METHOD_SCOPES.get(method, ())
        headers["X-Accepted-OAuth-Scopes"] = ",".join(needed)
        if needed and not self.scopes.intersection(needed):
            body = SlackError("missing_scope", needed=needed[0], provided=",".join(sorted(self.scopes))).body()
            return ApiAnswer(200, body, headers)
        try:
            with workspace.lock:  # one method runs whole: no check-then-act races between calls
                body = handler(workspace, Args(args))
        except SlackError as error:
            return ApiAnswer(200, error.body(), headers)
        return ApiAnswer(200, {"ok": True, **body}, headers)

    def _oauth(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> ApiAnswer:
        fault = self._take_fault(method)
        if fault is not None:
            return _fault_answer(fault, headers)
        if self.oauth is None:
            return ApiAnswer(200, SlackError("invalid_client_id").body(), headers)
        try:
            return ApiAnswer(200, {"ok": True, **self.oauth.access(args)}, headers)
        except SlackError as error:
            return ApiAnswer(200, error.body(), headers)

    def _app_level(self, method: str, token: str, headers: dict[str, str]) -> ApiAnswer:
        """Methods for the app-level token, and Slack's answers when a token is used on the wrong side."""
        if method not in APP_LEVEL_METHODS:
            return ApiAnswer(200, SlackError("not_allowed_token_type").body(), headers)
        if not token.startswith("xapp-"):
            return ApiAnswer(200, SlackError("not_allowed_token_type").body(), headers)
        if token != self.app_token or self.open_connection is None:
            return ApiAnswer(200, SlackError("invalid_auth").body(), headers)
        fault = self._take_fault(method)
        if fault is not None:
            return _fault_answer(fault, headers)
        return ApiAnswer(200, {"ok": True, "url": self.open_connection()}, headers)

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
            return fault


def _fault_answer(fault: Fault, headers: dict[str, str]) -> ApiAnswer:
    if fault.status == 429:
        return ApiAnswer(429, {"ok": False, "error": fault.error or "ratelimited"},
                         {**headers, "Retry-After": str(fault.retry_after)})
    if fault.status != 200:
        extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return ApiAnswer(fault.status, {"ok": False, "error": fault.error or "fatal_error"}, {**headers, **extra})
    return ApiAnswer(200, {"ok": False, "error": fault.error}, headers)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
