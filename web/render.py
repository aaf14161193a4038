"""Pages from templates: one call per route.

    return render(request, "people/person.html", {"state": state}, title="…")

Every template gets, besides its own context: ``person`` (the signed-in
`Person`, or None), ``lang`` ("fi" or "en"), ``t`` (``t("key")`` the words
of web.texts in that language), ``csrf`` (the token every form carries as
``<input type="hidden" name="csrf" value="{{ csrf }}">``, or the
``csrf_field()`` macro of ``_macros.html``), ``nav`` (the pages the role may
use), ``page`` (the nav key of this page, for aria-current) and ``title``.
Filters: ``moment`` and ``day`` show a time or a date in the ledger's zone
(Europe/Helsinki) as the language writes it. Autoescaping is on: nothing a
person typed is rendered unescaped.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from starlette.responses import HTMLResponse

from ledger import clock
from web import auth
from web.nav import visible
from web.texts import LANGUAGES, text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["LANG_COOKIE", "TEMPLATES", "environment", "lang_of", "moment", "render"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANG_COOKIE = "kirjuri_lang"
# What every page answers with: no other site's scripts, frames or forms;
# pages show personal data, so no cache keeps them.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:;"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def lang_of(request: Request) -> str:
    """The language chosen (a cookie), else the browser's first, else fi."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    accepted = request.headers.get("accept-language", "").lower()
    return "en" if accepted.startswith("en") else "fi"


def moment(value: datetime | str | None, lang: str = "en") -> str:
    """A moment in the ledger's zone: 3.3.2025 14.05 (fi), 2025-03-03 14:05."""
    if value is None or value == "":
        return "–"
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = clock.local(found)
    if lang == "fi":
        return f"{local.day}.{local.month}.{local.year} {local:%H.%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def day(value: date | datetime | str | None, lang: str = "en") -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = (
            datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        )
    if isinstance(value, datetime):
        value = clock.local_date(value)
    if lang == "fi":
        return f"{value.day}.{value.month}.{value.year}"
    return value.isoformat()


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["moment"] = pass_context(lambda ctx, v: moment(v, ctx["lang"]))
    env.filters["day"] = pass_context(lambda ctx, v: day(v, ctx["lang"]))
    return env


_ENV = environment()


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    title: str,
    page: str = "",
    status: int = 200,
) -> Response:
    """The page ``template`` (under web/templates) as an HTML response."""
    lang = lang_of(request)
    person = getattr(request.state, "person", None)
    values: dict[str, Any] = {
        "request": request,
        "person": person,
        "lang": lang,
        "t": lambda key: text(key, lang),
        "csrf": auth.csrf_token(request),
        "nav": visible(person.role) if person is not None else [],
        "page": page,
        "title": title,
    }
    values.update(context or {})
    html = _ENV.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status, headers=HEADERS)
    fresh = getattr(request.state, "csrf", None)
    if fresh and person is None:
        auth.set_cookie(response, request, auth.CSRF_COOKIE, fresh, None)
    return response
