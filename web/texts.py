"""The pages' words in Finnish and English, in one place.

A key the pages own is looked up here first; any other key (``request.*``,
``basis.*``, ``safeguard.*``, ``heading.*``, ``finding.*``, ``objection.*``)
is the reports' own wording (``projections.reports.texts``), so a page and
the answer a person receives say the same thing. A missing key shows as the
key itself, which a test catches.
"""

from __future__ import annotations

from projections.reports import texts as report_texts
from web.flow_texts import FLOW_TEXTS

__all__ = ["LANGUAGES", "WEB_TEXTS", "text"]

LANGUAGES = ("fi", "en")

WEB_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "app.name": "Kirjuri",
        "nav.label": "Main",
        "nav.today": "Today",
        "nav.people": "People",
        "nav.requests": "Requests",
        "nav.findings": "Findings",
        "nav.history": "History",
        "nav.integrity": "Integrity",
        "nav.policy": "Policy",
        "nav.access": "Access",
        "skip": "Skip to content",
        "lang.switch": "Suomeksi",
        "lang.other": "fi",
        "signed_in_as": "Signed in as",
        "sign_out": "Sign out",
        "sign_in": "Sign in",
        "sign_in.title": "Sign in",
        "sign_in.name": "User name",
        "sign_in.password": "Password",
        "sign_in.refused": "Wrong user name or password.",
        "sign_in.locked": "Too many failed sign-ins: this account is locked for"
        " a while. Try again later or ask your DPO.",
        "signed_out": "You have signed out.",
        "session.ended": "Your session ended; sign in again.",
        "password.title": "Choose your password",
        "password.first": "Choose your own password before you go on.",
        "password.current": "Current password",
        "password.new": "New password (at least 12 characters)",
        "password.again": "New password again",
        "password.mismatch": "The two new passwords differ.",
        "password.save": "Save password",
        "password.done": "Password changed; sign in with it.",
        "purpose.title": "Why do you look?",
        "purpose.intro": "Auditors and regulators say why they look at a person's"
        " data. The reason is kept with each look, on the person's record, and"
        " the person may be told it.",
        "purpose.label": "Purpose of access",
        "purpose.save": "Continue",
        "purpose.current": "Purpose of access",
        "purpose.change": "Change",
        "purpose.missing": "Give a purpose.",
        "error.title": "Not possible",
        "error.403": "Your role may not use this page or do this.",
        "error.404": "Not found.",
        "error.csrf": "The form was too old or not sent from this site;"
        " go back, reload the page and send it again.",
        "error.back": "Back to Today",
        "field.error": "Check this field",
        "yes": "yes",
        "no": "no",
        "none": "none",
        "masked.note": "Personal values are masked for your role.",
        "role.dpo": "data protection officer",
        "role.auditor": "auditor",
        "role.regulator": "regulator",
        "role.ingest": "reporting system",
        "col.request": "Request",
        "col.type": "Type",
        "col.due": "Due",
        "today.open": "Open requests",
        "today.days_left": "Days left",
        "today.extended": "extended",
        "today.overdue": "OVERDUE",
        "today.late": "{n} days late",
        "today.no_open": "No open requests.",
        "today.extension_due": "Extension notice due",
        "today.extension_hint": "Not extended and due within a week: answer, or"
        " tell the person of an extension before the first month ends"
        " (Art. 12(3)).",
        "today.tell_by": "answer or tell of an extension by",
        "today.days": "days",
        "today.new_findings": "New findings (30 days)",
        "today.all_findings": "All findings",
        "today.proofs": "Checkpoint and verification",
        "today.checkpoint": "Last checkpoint",
        "today.events": "{n} events",
        "today.no_checkpoint": "no checkpoint yet",
        "today.verified": "Last clean verify",
        "today.verified_to": "up to event {n}",
        "today.never_verified": "never verified",
        "today.models": "Read models last found equal",
    },
    "fi": {
        "app.name": "Kirjuri",
        "nav.label": "Päävalikko",
        "nav.today": "Tänään",
        "nav.people": "Henkilöt",
        "nav.requests": "Pyynnöt",
        "nav.findings": "Havainnot",
        "nav.history": "Historia",
        "nav.integrity": "Eheys",
        "nav.policy": "Toimintaperiaatteet",
        "nav.access": "Käyttöoikeudet",
        "skip": "Siirry sisältöön",
        "lang.switch": "In English",
        "lang.other": "en",
        "signed_in_as": "Kirjautunut",
        "sign_out": "Kirjaudu ulos",
        "sign_in": "Kirjaudu",
        "sign_in.title": "Kirjautuminen",
        "sign_in.name": "Käyttäjätunnus",
        "sign_in.password": "Salasana",
        "sign_in.refused": "Väärä käyttäjätunnus tai salasana.",
        "sign_in.locked": "Liian monta epäonnistunutta kirjautumista: tunnus on"
        " lukittu hetkeksi. Yritä myöhemmin uudelleen tai pyydä apua"
        " tietosuojavastaavalta.",
        "signed_out": "Olet kirjautunut ulos.",
        "session.ended": "Istuntosi päättyi; kirjaudu uudelleen.",
        "password.title": "Valitse salasana",
        "password.first": "Valitse oma salasanasi ennen kuin jatkat.",
        "password.current": "Nykyinen salasana",
        "password.new": "Uusi salasana (vähintään 12 merkkiä)",
        "password.again": "Uusi salasana uudelleen",
        "password.mismatch": "Uudet salasanat eroavat toisistaan.",
        "password.save": "Tallenna salasana",
        "password.done": "Salasana vaihdettu; kirjaudu sillä.",
        "purpose.title": "Miksi tarkastelet tietoja?",
        "purpose.intro": "Tarkastajat ja valvontaviranomainen kertovat, miksi he"
        " katsovat henkilön tietoja. Syy tallennetaan jokaisen katselun yhteyteen"
        " henkilön tietoihin, ja se voidaan kertoa hänelle.",
        "purpose.label": "Tarkastelun tarkoitus",
        "purpose.save": "Jatka",
        "purpose.current": "Tarkastelun tarkoitus",
        "purpose.change": "Vaihda",
        "purpose.missing": "Kerro tarkoitus.",
        "error.title": "Ei mahdollista",
        "error.403": "Roolisi ei salli tätä sivua tai toimintoa.",
        "error.404": "Ei löytynyt.",
        "error.csrf": "Lomake oli liian vanha tai se ei tullut tältä sivustolta;"
        " palaa, lataa sivu uudelleen ja lähetä lomake uudestaan.",
        "error.back": "Takaisin Tänään-sivulle",
        "field.error": "Tarkista tämä kenttä",
        "yes": "kyllä",
        "no": "ei",
        "none": "ei mitään",
        "masked.note": "Henkilötiedot on peitetty roolisi vuoksi.",
        "role.dpo": "tietosuojavastaava",
        "role.auditor": "tarkastaja",
        "role.regulator": "valvontaviranomainen",
        "role.ingest": "raportoiva järjestelmä",
        "col.request": "Pyyntö",
        "col.type": "Tyyppi",
        "col.due": "Määräpäivä",
        "today.open": "Avoimet pyynnöt",
        "today.days_left": "Päiviä jäljellä",
        "today.extended": "jatkettu",
        "today.overdue": "MYÖHÄSSÄ",
        "today.late": "{n} päivää myöhässä",
        "today.no_open": "Ei avoimia pyyntöjä.",
        "today.extension_due": "Jatkoilmoitus erääntymässä",
        "today.extension_hint": "Ei jatkettu ja erääntyy viikon sisällä: vastaa"
        " tai ilmoita henkilölle jatkosta ennen kuin ensimmäinen kuukausi"
        " päättyy (12 artiklan 3 kohta).",
        "today.tell_by": "vastaa tai ilmoita jatkosta viimeistään",
        "today.days": "päivää",
        "today.new_findings": "Uudet havainnot (30 päivää)",
        "today.all_findings": "Kaikki havainnot",
        "today.proofs": "Tarkistuspiste ja todennus",
        "today.checkpoint": "Viimeisin tarkistuspiste",
        "today.events": "{n} tapahtumaa",
        "today.no_checkpoint": "ei vielä tarkistuspistettä",
        "today.verified": "Viimeisin onnistunut todennus",
        "today.verified_to": "tapahtumaan {n} asti",
        "today.never_verified": "ei koskaan todennettu",
        "today.models": "Lukumallit viimeksi todettu yhteneviksi",
    },
}

for _lang, _words in FLOW_TEXTS.items():  # the pages of web/flow_texts.py
    WEB_TEXTS[_lang] = _words | WEB_TEXTS[_lang]


def text(key: str, lang: str) -> str:
    """The words for ``key`` in ``lang`` (the pages' own, then the reports')."""
    own = WEB_TEXTS.get(lang, WEB_TEXTS["en"])
    if key in own:
        return own[key]
    try:
        return report_texts.text(key, lang if lang in LANGUAGES else "en")
    except KeyError:
        return key
