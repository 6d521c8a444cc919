"""Small Block Kit pieces that keep every builder inside Slack's limits (see PLATFORM.md)."""

from __future__ import annotations

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_OPTION_VALUE = 150  # a select option's value
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_TEXT = 2000
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_MESSAGE_TEXT = 40000


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut to `limit` characters, saying so with an ellipsis (used where the full text lives elsewhere)."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - len(ellipsis)].rstrip() + ellipsis


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; anything else in mrkdwn is shown as typed."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = MAX_HEADER_TEXT, *, emoji: bool = True) -> dict:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": emoji}


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def header(text: str, *, block_id: str | None = None) -> dict:
    block: dict = {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}
    if block_id:
        block["block_id"] = block_id
    return block


def section(text: str, *, block_id: str | None = None, fields: list[str] | None = None,
            accessory: dict | None = None) -> dict:
    block: dict = {"type": "section", "text": mrkdwn(text)}
    if fields:
        block["fields"] = [mrkdwn(f, MAX_FIELD_TEXT) for f in fields[:10]]  # Slack: at most 10 fields
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(*texts: str, block_id: str | None = None) -> dict:
    block: dict = {"type": "context", "elements": [mrkdwn(t, MAX_CONTEXT_TEXT) for t in texts[:10]]}
    if block_id:
        block["block_id"] = block_id
    return block


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, *, value: str | None = None, url: str | None = None,
           style: str | None = None, confirm: dict | None = None) -> dict:
    element: dict = {"type": "button", "text": plain(text, MAX_BUTTON_TEXT), "action_id": action_id[:255]}
    if value is not None:
        if len(value) > MAX_BUTTON_VALUE:
            raise ValueError("button value over Slack's 2,000 characters")
        element["value"] = value
    if url:
        element["url"] = url
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: dict, block_id: str | None = None) -> dict:
    block: dict = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def fit_blocks(blocks: list[dict], limit: int, overflow: dict | None = None) -> list[dict]:
    """Keep at most `limit` blocks; the last kept one says more exists (`overflow`), never a silent cut."""
    if len(blocks) <= limit:
        return blocks
    if overflow is None:
        return blocks[:limit]
    return [*blocks[: limit - 1], overflow]
