"""Personal values in free text: found and masked in linear time.

Free text stored in clear must not carry an email address or a phone number,
and an error message must not echo one. Every function here reads its input
a bounded number of times (no backtracking regular expression), so a
megabyte of hostile text costs a megabyte of work, not its square.
"""

from __future__ import annotations

import re

__all__ = ["MESSAGE_LIMIT", "has_personal_value", "mask_personal", "one_line"]

# Error text is one line of at most this many characters, whatever the input.
MESSAGE_LIMIT = 300

# Runs of non-space characters: each character is read once. A token with an
# "@" is then checked by `_is_email` (splits and membership tests, linear).
_TOKEN = re.compile(r"\S+")
# A phone number: "+", a digit, then six or more digits, spaces or dashes.
# Linear: a match can only start at a "+", and a "+" ends every run it follows.
_PHONE = re.compile(r"\+\d[\d \-]{6,}")
# Control characters (C0, DEL, C1: newlines, NUL, terminal escapes) and the
# bidirectional overrides that make text display other than it reads.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _is_email(token: str) -> bool:
    """Whether a token holds ``local@domain.tld`` (what the old regex
    ``[^@\\s]+@[^@\\s]+\\.[^@\\s]+`` found): some non-empty part followed by
    an "@" and a part with a dot that is neither its first nor last character."""
    parts = token.split("@")
    return any(parts[i] and "." in parts[i + 1][1:-1] for i in range(len(parts) - 1))


def has_personal_value(text: str) -> str | None:
    """What personal value the text holds ("an email address", "a phone
    number"), or None."""
    if "@" in text and any(
        _is_email(token) for token in _TOKEN.findall(text) if "@" in token
    ):
        return "an email address"
    if _PHONE.search(text):
        return "a phone number"
    return None


def mask_personal(text: str) -> str:
    """The text with emails and phone numbers replaced, as the logs do."""
    if "@" in text:
        text = _TOKEN.sub(
            lambda m: "[email]" if _is_email(m[0]) else m[0],
            text,
        )
    return _PHONE.sub(lambda m: "[phone]" + m[0][len(m[0].rstrip()) :], text)


def mask_in_log(text: str) -> str:
    """What a log line may show of a text: any ``x@y`` token (dot or not, as
    logs have always masked) and phone numbers replaced; linear."""
    if "@" in text:
        text = _TOKEN.sub(
            lambda m: "[email]" if _has_address(m[0]) else m[0],
            text,
        )
    return _PHONE.sub(lambda m: "[phone]" + m[0][len(m[0].rstrip()) :], text)


def _has_address(token: str) -> bool:
    parts = token.split("@")
    return any(parts[i] and parts[i + 1] for i in range(len(parts) - 1))


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Error text as printed: one line, bounded, with no personal value."""
    # Cut first (with room for masks), so masking never reads more than that;
    # a word cut in two is dropped (half an email would not be masked).
    cut = len(text) > limit * 2
    text = CONTROL.sub(" ", text[: limit * 2])
    if cut:
        text = text[: max(text.rfind(" "), 0)]
    text = mask_personal(text)
    if cut or len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
