"""Every word a page shows has a Finnish and an English text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commands.usecases.identities import ROLES
from ledger.events import RequestType
from ledger.policy import LegalBasis, Safeguard
from web.nav import NAV
from web.render import TEMPLATES, day, moment
from web.texts import LANGUAGES, WEB_TEXTS, text

_LITERAL = re.compile(r"""\bt\(\s*["']([a-z_.0-9]+)["']\s*\)""")


def _keys() -> set[str]:
    found = {
        key
        for path in Path(TEMPLATES).rglob("*.html")
        for key in _LITERAL.findall(path.read_text(encoding="utf-8"))
    }
    found |= {f"nav.{item.key}" for item in NAV}
    found |= {f"role.{role}" for role in ROLES}
    found |= {f"request.{kind.value}" for kind in RequestType}
    found |= {f"basis.{basis.value}" for basis in LegalBasis}
    found |= {f"safeguard.{guard.value}" for guard in Safeguard}
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_a_template_names_has_a_text(lang: str) -> None:
    missing = sorted(key for key in _keys() if text(key, lang) == key)
    assert not missing


def test_both_languages_have_the_same_keys() -> None:
    assert set(WEB_TEXTS["fi"]) == set(WEB_TEXTS["en"])


def test_times_show_in_the_ledgers_zone_as_each_language_writes_them() -> None:
    # 22:30 UTC on 29 September is 30 September in Helsinki (UTC+3).
    assert moment("2025-09-29T22:30:00+00:00", "fi") == "30.9.2025 01.30"
    assert moment("2025-09-29T22:30:00+00:00", "en") == "2025-09-30 01:30"
    assert day("2025-09-29T22:30:00+00:00", "fi") == "30.9.2025"
    assert day("2025-03-03", "en") == "2025-03-03"
