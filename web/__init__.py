"""The privacy team's web pages, served by ``kirjuri serve`` beside the API.

The contract the pages are built on (issue 12):

Layout
    ``web/routers/NAME.py``: one module per page (or area), each with a
    FastAPI ``router = APIRouter()``; `mount` includes every module of
    ``web.routers`` that has one (no list to edit). Templates of a page in
    ``web/templates/NAME/``; every template extends ``base.html`` and fills
    ``{% block title %}`` and ``{% block content %}`` (``_macros.html`` has
    ``csrf_field()``, ``field(...)`` for a labelled input and
    ``error_summary(...)``). Static files in ``web/static/`` (``site.css``
    by hand, no build step) at ``/static/``. The navigation bar
    (``web.nav.NAV``) already lists every page of the issue with the right
    it needs: Today ``/``, People ``/people`` (a person ``/people/{id}``,
    Erase ``/people/{id}/erase``), Requests ``/requests`` (Answer a request
    ``/requests/{request_id}``), Findings ``/findings``, History
    ``/history``, Integrity ``/integrity``, Policy ``/policy``, Access
    ``/access``.

Rendering
    ``web.render.render(request, "dir/page.html", {...}, title=..., page=
    "nav key")`` gives every template ``person``, ``lang`` (fi/en, the
    switch is ``/lang/fi?next=PATH``), ``t("key")`` (web.texts.text: the
    pages' words, else the reports' own ``request.*``, ``basis.*``,
    ``heading.*`` …), ``csrf``, ``nav``, ``title``, and the filters
    ``moment`` and ``day`` (the ledger's zone, Europe/Helsinki). Jinja2
    autoescapes everything; StrictUndefined catches a missing name.

Who may do what (web.auth)
    ``Depends(signed_in)`` gives the signed-in ``Person`` (a
    ``commands.usecases.identities.Caller`` with ``user_id`` and
    ``purpose``: pass it as ``caller=`` to the facade so looks are recorded
    and values masked as for an API token); not signed in is a 303 to
    ``/sign-in?next=…``. ``Depends(require("manage"))`` also refuses, with
    the 403 page, a role without that right of ``api.auth.RIGHTS`` (the
    API's role table: a page's right decides both the nav bar and the
    route). ``Depends(purpose)`` before showing a person's values: an
    auditor or a regulator is sent to ``/purpose`` first; the purpose is
    kept in the session and given to the facade as ``purpose=``.
    ``Depends(csrf_checked)`` on every POST route (a missing or wrong
    ``csrf`` form field is the 403 page). ``PageRefused(status, "text
    key")`` answers any error page; a ``KirjuriError`` from the facade on
    a page becomes an error page (404 for an unknown subject, 403 for a
    subject out of reach, else 422 with its one line), never JSON or a 500.

Browser tests (tests/browser/)
    ``server`` (a real ``kirjuri serve`` on a free loopback port over a
    copy of the demo ledger, built once per session and backend, with one
    account per role), ``browser``/``page`` (Playwright on Debian's
    chromium), ``sign_in(page, server, role)``, ``check_axe(page)`` (fails on
    serious or critical violations), ``shoot(page, name)`` (screenshots at
    1280x800 and 390x844 in tests/browser/screenshots/, kept, git-ignored).
    In-process tests (both backends, FastAPI's TestClient): tests/web_helpers.py
    ``signed_in(kirjuri, role)`` (a client signed in through the form),
    ``post_form(client, path, data)`` (with that page's CSRF token),
    ``csrf_of(html)``, ``account(kirjuri, role)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["mount"]


def mount(app: FastAPI) -> None:
    """Serve the pages on ``app`` (called by ``api.app.create_app``)."""
    from web.site import mount as _mount  # noqa: PLC0415 - web.site imports api

    _mount(app)
