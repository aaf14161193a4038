"""The navigation bar: every page of the web app and the right it needs.

A page whose right the person's role lacks is left out of the bar, and its
routes refuse it (``web.auth.require``). Erase is reached from a person's
page, not from the bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.auth import RIGHTS

__all__ = ["NAV", "NavItem", "visible"]


@dataclass(frozen=True)
class NavItem:
    key: str  # a text key (web.texts) and the page's name
    path: str
    right: str  # a right of api.auth.RIGHTS


NAV: tuple[NavItem, ...] = (
    NavItem("today", "/", "audit"),
    NavItem("people", "/people", "consult"),
    NavItem("requests", "/requests", "audit"),
    NavItem("findings", "/findings", "audit"),
    NavItem("history", "/history", "audit"),
    NavItem("integrity", "/integrity", "audit"),
    NavItem("policy", "/policy", "policy"),
    NavItem("access", "/access", "manage"),
)


def visible(role: str) -> list[NavItem]:
    return [item for item in NAV if role in RIGHTS[item.right]]
