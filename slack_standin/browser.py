"""A person's browser for the install flow: follows redirects by hand and keeps cookies, so a test sees every
hop (/slack/install → Slack's consent page → the app's /slack/oauth_redirect) and can forge one."""

from __future__ import annotations

import http.client
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_standin import SlackStandIn
    from slack_standin.workspace import Workspace

MAX_REDIRECTS = 10


@dataclass
class BrowserPage:
    """Where the browser ended up: the last answer, and every URL it went through."""

    status: int
    body: str
    url: str
    hops: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


class Browser:
    """Cookies for 127.0.0.1 (the app and the stand-in alike), redirects followed one by one."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self.cookies: dict[str, str] = {}

    def sign_in(self, workspace: Workspace, user_id: str) -> Browser:
        """The person is signed in to `workspace` on the stand-in: its consent page installs there."""
        self.cookies["standin_session"] = f"{workspace.team_id}:{user_id}"
        return self

    def consent(self, *, allow: bool) -> Browser:
        """What the person presses on the consent page: Allow (the default) or Cancel."""
        self.cookies["standin_consent"] = "allow" if allow else "cancel"
        return self

    def install(self, install_url: str) -> BrowserPage:
        """Open the app's install link and follow it to the end."""
        return self.open(install_url)

    def open(self, url: str, *, follow: bool = True) -> BrowserPage:
        hops: list[str] = []
        for _ in range(MAX_REDIRECTS):
            hops.append(url)
            status, headers, body = self._get(url)
            location = headers.get("location", "")
            if not (follow and status in (301, 302, 303, 307, 308) and location):
                return BrowserPage(status, body, url, hops, headers)
            url = urllib.parse.urljoin(url, location)
        raise RuntimeError(f"more than {MAX_REDIRECTS} redirects: {hops}")

    def _get(self, url: str) -> tuple[int, dict[str, str], str]:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http" or parts.hostname != "127.0.0.1":
            raise ValueError(f"the stand-in's browser only goes to http://127.0.0.1, not {url}")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep(header)
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def _keep(self, header: str) -> None:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] in ("0", "-1") or morsel.value in ("", "deleted"):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
