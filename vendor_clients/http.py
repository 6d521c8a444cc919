"""One HTTP call to a vendor's API, counted by its answer, with a network failure said as VendorUnavailable."""

from __future__ import annotations

from collections.abc import Callable

import requests

from vendor_clients.errors import VendorUnavailable

CountAnswer = Callable[[str], None]  # told each call's answer ("200", "timeout", "unreachable"), e.g. for a metric


def not_counted(answer: str) -> None:
    pass


def send_counted(session: requests.Session, vendor: str, count: CountAnswer, method: str, url: str,
                 **kwargs) -> requests.Response:
    """`session.request(method, url, **kwargs)`; a timeout or a connection failure raises VendorUnavailable
    naming `vendor` (never the URL's secrets), and every outcome is told to `count`."""
    try:
        response = session.request(method, url, **kwargs)
    except requests.Timeout:
        count("timeout")
        raise VendorUnavailable(f"{vendor} did not answer in time") from None
    except requests.RequestException as exc:
        count("unreachable")
        raise VendorUnavailable(f"{vendor} could not be reached ({type(exc).__name__})") from None
    count(str(response.status_code))
    return response
