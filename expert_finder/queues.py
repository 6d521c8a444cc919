"""Queue accounts: a default assignee (`nobody`, `*-inbox`, `*-bugs`) is where cases wait, not a person.

They are recognised two ways: by the `EXPERTS_QUEUE_ACCOUNTS` setting (user ids or glob patterns, matched
on the id and the display name, case-insensitive), and by their history: an account that resolved a large
share of all cases, spread over many products, behaves like a queue. The app never suggests them; the
evaluation reports its figures with and without the cases they resolved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from fnmatch import fnmatchcase

DEFAULT_PATTERNS = ("nobody", "nobody@*", "*-inbox", "*-inbox@*", "*-bugs", "*-bugs@*", "*-triage", "*-queue")
QUEUE_SHARE = 0.2  # of every case in the history
QUEUE_PRODUCT_SHARE = 0.6  # of the products seen, when there are at least QUEUE_MIN_PRODUCTS
QUEUE_MIN_PRODUCTS = 4


def is_queue_account(user_id: str, name: str, patterns: Sequence[str]) -> bool:
    values = [v.casefold() for v in (user_id, name) if v]
    return any(fnmatchcase(v, pattern.casefold()) for pattern in patterns for v in values)


def detect_queue_accounts(resolvers: Sequence[str], products: Sequence[str]) -> frozenset[str]:
    """Accounts that resolved at least QUEUE_SHARE of the cases across at least QUEUE_PRODUCT_SHARE of
    the products (so a single product's real expert, however busy, is never taken for a queue)."""
    if not resolvers:
        return frozenset()
    counts = Counter(resolvers)
    spread: dict[str, set[str]] = defaultdict(set)
    for person, product in zip(resolvers, products, strict=True):
        if product:
            spread[person].add(product)
    n_products = len({p for p in products if p})
    if n_products < QUEUE_MIN_PRODUCTS:
        return frozenset()
    return frozenset(
        person
        for person, count in counts.items()
        if count >= QUEUE_SHARE * len(resolvers) and len(spread[person]) >= QUEUE_PRODUCT_SHARE * n_products
    )


def queue_accounts(
    people: Sequence[str], resolvers: Sequence[str], products: Sequence[str], patterns: Sequence[str]
) -> frozenset[str]:
    """Of `people`, those named by `patterns` or detected from the history (`resolvers`, `products`)."""
    detected = detect_queue_accounts(resolvers, products)
    return frozenset(p for p in people if p in detected or is_queue_account(p, "", patterns))
