"""Realistic, seeded command streams shaped like Fluiconnecto's processing.

    python -m bench.generate 1000000 --seed 7 > stream.jsonl

`generate(events, seed)` yields command dicts (the shape
`commands.models.parse_command` accepts) in chronological order over
2023-2025, in Finnish local time on working days, whose recorded events add
up to about ``events``.

The world: representatives of Finnish (and a few Swedish) customer
companies. Prospects arrive from fair attendee lists, company websites and
social media and get newsletters and sales calls; customers order, are
invoiced, get deliveries (exports also go through the destination's
customs), are transferred to the US group company under SCCs, complain,
consent to partner marketing and withdraw, object, ask for access, leave
their company, and now and then ask to be erased. A few key accounts
(about 0.1 % of contacts) carry about 10 % of the events. About 1 % of the
commands breach the policy on purpose (a disclosure to the marketing partner
without consent, a newsletter after an objection): the ledger records them
with a finding.

How it stays small and exact: contacts are simulated side by side, each
with an event budget it spends in episodes (an order: order data, customs,
delivery) spread over its lifetime; a heap keyed by each contact's next
command merges them in time order, and an episode's commands are made only
when it begins. New contacts arrive at a steady rate, set so that the
budgets handed out (those arriving late are cut at the end of 2025) reach
the target by the end; budget a contact leaves unspent (erased, left, went
cold) goes to later arrivals. State is the live contacts, the companies
still hiring, and a few counters; company names, domains and business IDs
are unique by construction (seeded permutations), not by remembering them.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import math
import sys
import time
from bisect import bisect_right, insort
from datetime import date, timedelta
from functools import cache
from random import Random
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["business_id", "company_name", "generate", "main"]

Command: TypeAlias = dict[str, Any]

# --- Calendar: working days of 2023-2025, business hours 08:00-17:00 -------

DAY = 9 * 3600  # business seconds in a working day
MONTH = 21 * DAY  # about a month of working days
# New Year, Epiphany, Good Friday, Easter Monday, May Day, Ascension Day,
# Midsummer Eve, Independence Day, Christmas Eve, Christmas, Boxing Day.
_HOLIDAYS = frozenset(date.fromisoformat(d) for d in (
    "2023-01-06", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-18",
    "2023-06-23", "2023-12-06", "2023-12-25", "2023-12-26",
    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09",
    "2024-06-21", "2024-12-06", "2024-12-24", "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-01-06", "2025-04-18", "2025-04-21", "2025-05-01",
    "2025-05-29", "2025-06-20", "2025-12-24", "2025-12-25", "2025-12-26",
))  # fmt: skip


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _calendar() -> tuple[list[str], list[str], list[str], list[int]]:
    """Per working day: 'YYYY-MM-DD', 'YYYY-MM-DDT', its UTC offset, its year."""
    dates, prefixes, offsets, years = [], [], [], []
    day = date(2023, 1, 2)
    while day.year < 2026:
        if day.weekday() < 5 and day not in _HOLIDAYS:
            summer = _last_sunday(day.year, 3) < day < _last_sunday(day.year, 10)
            dates.append(day.isoformat())
            prefixes.append(day.isoformat() + "T")
            offsets.append("+03:00" if summer else "+02:00")
            years.append(day.year)
        day += timedelta(days=1)
    return dates, prefixes, offsets, years


_DATE, _PREFIX, _OFFSET, _YEAR = _calendar()
_HMS = [f"{8 + s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]
T_LAST = float(len(_DATE) * DAY - 1)  # 2025-12-31 16:59:59

# --- Names, companies, places ---------------------------------------------

FIRST_NAMES = (
    "Aino", "Anna", "Anne", "Anni", "Eeva", "Elina", "Emilia", "Hanna", "Heidi",
    "Helena", "Johanna", "Kaisa", "Katja", "Laura", "Leena", "Liisa", "Maria", "Marja",
    "Minna", "Noora", "Outi", "Päivi", "Riikka", "Sanna", "Satu", "Suvi", "Tiina",
    "Tuula", "Venla", "Sari", "Antti", "Ari", "Eero", "Heikki", "Janne", "Jari", "Juha",
    "Juho", "Jukka", "Jussi", "Kari", "Lauri", "Markku", "Matti", "Mika", "Mikko",
    "Pekka", "Petri", "Sami", "Timo", "Tomi", "Tuomas", "Ville", "Olli", "Risto",
    "Teemu", "Joni", "Ilkka", "Veli-Matti", "Aleksi"
)  # fmt: skip
SURNAMES = (
    "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
    "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen",
    "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo",
    "Laitinen", "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila",
    "Savolainen", "Lahtinen", "Ahonen", "Hiltunen", "Hirvonen", "Leinonen", "Manninen",
    "Kallio", "Lindholm", "Nyström", "Lindroos", "Kettunen", "Miettinen", "Pitkänen",
    "Väisänen", "Mustonen", "Koivisto", "Ojala", "Aaltonen", "Peltonen", "Huttunen",
    "Seppälä", "Hakala", "Räsänen", "Laaksonen", "Toivonen", "Vainio", "Leppänen",
    "Anttila", "Holmström", "Sjöberg", "Eskola", "Björklund"
)  # fmt: skip
SE_FIRST_NAMES = (
    "Erik", "Lars", "Karin", "Anders", "Johan", "Eva", "Magnus", "Sofia", "Henrik",
    "Emma", "Per", "Ingrid", "Oskar", "Linnea", "Fredrik", "Elin"
)  # fmt: skip
SE_SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg",
    "Lindström", "Berg", "Holm"
)  # fmt: skip
SECTORS = (
    "Hydrauliikka", "Konepaja", "Metalli", "Teräs", "Putki", "Prosessi", "Voima",
    "Kone", "Huolto", "Automaatio", "Laite", "Tekniikka", "Valimo", "Paperi", "Kaivos",
    "Energia", "Vesi", "Lämpö", "Rakennus", "Teollisuus", "Kuljetus", "Nosturi",
    "Työkone", "Venttiili", "Pumppu", "Kompressori", "Kemia", "Elintarvike", "Saha",
    "Laiva", "Telakka", "Moottori", "Pneumatiikka", "Insinööritoimisto", "Asennus",
    "Koneistus", "Hitsaus", "Urakointi", "Maatalouskone", "Metsäkone", "Kunnossapito",
    "Putkistot", "Letkutekniikka", "Virtaustekniikka", "Säätö", "Mittaus", "Sähkö",
    "Logistiikka"
)  # fmt: skip
PLACES = (
    "Savon", "Hämeen", "Pohjolan", "Karjalan", "Lapin", "Satakunnan", "Kainuun",
    "Pirkanmaan", "Uudenmaan", "Keski-Suomen", "Pohjanmaan", "Kymen", "Saimaan",
    "Päijät-Hämeen", "Länsi-Suomen", "Itä-Suomen", "Oulun", "Vaasan", "Porin",
    "Tampereen", "Turun", "Kuopion", "Jyväskylän", "Lahden", "Kotkan", "Rauman",
    "Kokkolan", "Seinäjoen", "Joensuun", "Mikkelin", "Kajaanin", "Rovaniemen", "Salon",
    "Forssan", "Varkauden", "Iisalmen"
)  # fmt: skip
SV_PLACES = (  # Swedish-speaking Finland: "Ab", with a Finnish business ID
    "Vasa", "Jakobstads", "Närpes", "Kristinestads", "Ekenäs", "Borgå", "Lovisa",
    "Karleby", "Sibbo", "Pargas", "Kimito", "Nykarleby", "Ålands", "Österbottens",
    "Nylands", "Raseborgs", "Kaskö", "Malax", "Korsholms", "Larsmo"
)  # fmt: skip
SV_SECTORS = (
    "Hydraulik", "Maskin", "Verkstad", "Stål", "Rör", "Teknik", "Industri", "Service",
    "Pump", "Energi", "Metall", "Båtvarv", "Elteknik", "Automation", "Montage", "Svets"
)  # fmt: skip
SE_PREFIXES = (  # Sweden: "AB", no Finnish business ID
    "Nordic", "Svensk", "Göteborgs", "Malmö", "Norrlands", "Västerås", "Uppsala",
    "Skandinaviska", "Mälardalens", "Bergslagens", "Stockholms", "Örebro"
)  # fmt: skip
SE_SECTORS = (
    "Fluid Systems", "Hydraulik", "Fluidteknik", "Maskinteknik", "Verkstäder",
    "Industriservice", "Pumpteknik", "Rörteknik", "Processteknik", "Mekanik"
)  # fmt: skip
TITLES = (
    "Myyntipäällikkö", "Hankintajohtaja", "Talousjohtaja", "Kunnossapitoinsinööri",
    "Toimitusjohtaja", "Ostopäällikkö", "Tuotantopäällikkö", "Huoltopäällikkö",
    "Kunnossapitopäällikkö", "Ostaja", "Hankintapäällikkö", "Tekninen johtaja",
    "Projektipäällikkö", "Työnjohtaja", "Varastopäällikkö", "Logistiikkapäällikkö",
    "Laatupäällikkö", "Suunnitteluinsinööri", "Kehitysinsinööri",
    "Taloushallinnon asiantuntija", "Kirjanpitäjä", "Tehtaanjohtaja", "Käyttöpäällikkö",
    "Osastopäällikkö", "Asentaja"
)  # fmt: skip
TOWNS = (
    ("Jyväskylä", "40320"), ("Tampere", "33720"), ("Helsinki", "00880"),
    ("Vantaa", "01510"), ("Espoo", "02150"), ("Oulu", "90630"),
    ("Turku", "20360"), ("Kuopio", "70780"), ("Lahti", "15240"),
    ("Pori", "28400"), ("Vaasa", "65380"), ("Seinäjoki", "60320"),
    ("Kokkola", "67800"), ("Joensuu", "80100"), ("Hämeenlinna", "13210"),
    ("Kotka", "48310"), ("Rauma", "26820"), ("Mikkeli", "50170"),
    ("Lappeenranta", "53500"), ("Kajaani", "87400"), ("Rovaniemi", "96320"),
    ("Salo", "24280"), ("Kouvola", "45200"), ("Imatra", "55610"),
    ("Raahe", "92160"), ("Varkaus", "78850"), ("Äänekoski", "44150"),
    ("Nokia", "37150"), ("Kemi", "94600"), ("Tornio", "95420"),
    ("Forssa", "30420"), ("Hyvinkää", "05830"), ("Uusikaupunki", "23500"),
    ("Iisalmi", "74120"), ("Valkeakoski", "37600"),
)  # fmt: skip
SE_TOWNS = (
    ("Göteborg", "415 05"), ("Västerås", "721 36"), ("Malmö", "212 15"),
    ("Sandviken", "811 34"), ("Örebro", "702 27"), ("Uppsala", "754 50"),
)  # fmt: skip
STREETS = (
    "Teollisuustie", "Varastokatu", "Konepajankatu", "Tehtaankatu", "Satamatie",
    "Rautatienkatu", "Pajatie", "Sorvaajankatu", "Valimotie", "Metallitie",
    "Hitsaajankatu", "Elementtitie", "Kuljetustie", "Yrittäjäntie", "Urakoitsijantie",
    "Asentajankatu", "Koneenkatu", "Vasarakatu", "Ahjotie", "Tiilitehtaantie",
    "Voimalantie", "Energiakatu", "Logistiikkatie", "Terminaalitie", "Sahatie"
)  # fmt: skip
SE_STREETS = (
    "Industrigatan", "Verkstadsgatan", "Hamngatan", "Fabriksvägen"
)  # fmt: skip
EXPORT_SITES = (  # (customs recipient, city on the order, delivery address)
    ("customs_us", "Houston, TX", "1200 Industrial Blvd, Houston, TX 77029, USA"),
    ("customs_us", "Milwaukee, WI", "4400 W Mill Rd, Milwaukee, WI 53218, USA"),
    (
        "customs_us",
        "Charlotte, NC",
        "9800 Southern Pine Blvd, Charlotte, NC 28273, USA",
    ),
    ("customs_cn", "Shanghai", "88 Jinqiao Road, Pudong, Shanghai 201206, China"),
    ("customs_cn", "Tianjin", "16 Haibin 5th Road, Binhai, Tianjin 300457, China"),
    ("customs_cn", "Suzhou", "200 Suhong East Road, SIP, Suzhou 215021, China"),
)
PRODUCTS = (
    "hydraulic hose assemblies", "quick couplings", "valve blocks",
    "hydraulic fittings", "ball valves", "pressure gauges", "flange adapters",
    "tube fittings", "hose reels", "filter elements", "pipe clamps", "swivel joints",
    "needle valves", "check valves", "O-ring kits", "hydraulic cylinders seal kits",
    "stainless tube fittings", "industrial hoses", "test point couplings",
    "manifold blocks"
)  # fmt: skip
QUANTITIES = (1, 2, 2, 4, 5, 6, 8, 10, 10, 12, 20, 24, 25, 40, 50, 100, 200)
MEMOS = (
    "Puhelinmuistio: tarjouspyyntö hydrauliletkuista",
    "Tapaaminen: vuosisopimuksen neuvottelu",
    "Sähköposti: toimitusaikatiedustelu",
    "Puhelinmuistio: huoltokäynnin sopiminen",
    "Tarjous lähetetty: pikaliittimet",
    "Messutapaaminen: venttiilit ja liittimet",
    "Sähköposti: hinnaston päivitys",
    "Puhelinmuistio: tekninen kysymys painekestosta",
    "Tarjous lähetetty: letkukokoonpanot",
    "Yritysvierailu: tuotantolinjan letkujen kartoitus",
)
COMPLAINTS = (
    "Reklamaatio: vuotava liitin tilauksessa {}",
    "Reklamaatio: väärä letkun pituus tilauksessa {}",
    "Reklamaatio: toimitus myöhästyi, tilaus {}",
    "Reklamaatio: vaurioitunut pakkaus, tilaus {}",
    "Reclamation: leaking coupling in order {}",
)
_FOLD = str.maketrans("äöåéüÄÖÅÉÜ", "aoaeuAOAEU")
_PHONE_PREFIXES = ("40", "41", "44", "45", "46", "50")
_CHANNELS = ("post", "in_person", "customer_service", "email")

CUSTOMER, PROSPECT, KEY = 0, 1, 2
_PROSPECT_SOURCES = (  # (share, source, purposes of the registration)
    (0.56, "event_attendee_list", ("direct_marketing",)),
    (0.34, "company_website", ("customer_relationship", "direct_marketing")),
    (0.10, "social_media", ("direct_marketing",)),
)


def _fold(text: str) -> str:
    return text.translate(_FOLD).lower()


def _slug(*parts: str) -> str:
    return "-".join(_fold(p).replace(" ", "-") for p in parts)


# Company names: families of patterns; within a family each index is a
# distinct name and domain, and no two families share one.
def _family_sizes() -> list[int]:
    s, c, p = len(SURNAMES), len(SECTORS), len(PLACES)
    return [
        s * c,  # Korhonen Hydrauliikka Oy
        p * c,  # Savon Prosessi Oy
        c * s,  # Konepaja Virtanen Oy
        s * (s - 1) * c,  # Virtanen & Korhonen Konepaja Oy
        len(SV_PLACES) * len(SV_SECTORS),  # Jakobstads Verkstad Ab
        len(SE_PREFIXES) * len(SE_SECTORS),  # Nordic Fluid Systems AB
    ]


FAMILY_SIZES = _family_sizes()
FAMILY_WEIGHTS = (0.30, 0.22, 0.15, 0.23, 0.06, 0.04)
_FI, _SV, _SE = 0, 1, 2  # which country and language a family is


def company_name(family: int, index: int) -> tuple[str, str, int]:
    """(distinctive name, domain slug, language) of a family's index-th name."""
    s, c = len(SURNAMES), len(SECTORS)
    if family == 0:
        parts = (SURNAMES[index % s], SECTORS[index // s])
    elif family == 1:
        parts = (PLACES[index % len(PLACES)], SECTORS[index // len(PLACES)])
    elif family == 2:
        parts = (SECTORS[index % c], SURNAMES[index // c])
    elif family == 3:
        first, rest = index % s, index // s
        second = (first + 1 + rest % (s - 1)) % s
        a, b, sector = SURNAMES[first], SURNAMES[second], SECTORS[rest // (s - 1)]
        return f"{a} & {b} {sector}", _slug(a, b, sector), _FI
    elif family == 4:
        n = len(SV_PLACES)
        parts = (SV_PLACES[index % n], SV_SECTORS[index // n])
        return " ".join(parts), _slug(*parts), _SV
    else:
        n = len(SE_PREFIXES)
        parts = (SE_PREFIXES[index % n], SE_SECTORS[index // n])
        return " ".join(parts), _slug(*parts), _SE
    return " ".join(parts), _slug(*parts), _FI


def business_id(number: int) -> str | None:
    """The Y-tunnus of a 7-digit number, or None if no check digit exists."""
    digits = f"{number:07d}"
    remainder = (
        sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True))
        % 11
    )
    if remainder == 1:
        return None
    return f"{digits}-{0 if remainder == 0 else 11 - remainder}"


def _coprime_multiplier(rng: Random, modulus: int) -> int:
    a = rng.randrange(modulus // 3, modulus) | 1
    while math.gcd(a, modulus) != 1:
        a += 2
    return a


class _Company:
    __slots__ = (
        "billing",
        "business_id",
        "delivery",
        "domain",
        "export",
        "headcount",
        "name",
        "se",
        "used",
    )

    def __init__(
        self,
        *,
        name: str,
        domain: str,
        bid: str | None,
        se: bool,
        billing: str,
        delivery: str,
        export: tuple[str, str, str] | None,
        headcount: int,
    ) -> None:
        self.name = name
        self.domain = domain
        self.business_id = bid
        self.se = se
        self.billing = billing
        self.delivery = delivery
        self.export = export
        self.headcount = headcount
        self.used: tuple[str, ...] = ()  # email local parts, while hiring

    def retire(self) -> None:
        """It hires no one else: keep only what orders need."""
        self.name = self.domain = ""
        self.used = ()


# What a queue entry holds: a command, the first command of an episode (its
# emission plans the next episode), or an episode planned but not yet made.
_PLAIN, _STARTS, _PLANNED, _PLANNED_BARRIER = 0, 1, 2, 3
_Entry: TypeAlias = tuple[float, int, Any, int]


def _latest_first(entry: _Entry) -> tuple[float, int]:
    return (-entry[0], -entry[1])


class _Contact:
    __slots__ = (
        "barrier",
        "billing",
        "company",
        "consent",
        "delivery",
        "done",
        "email",
        "end",
        "kind",
        "objected",
        "orders",
        "pace",
        "phone",
        "queue",
        "remaining",
        "title",
        "xsite",
    )

    def __init__(self, email: str, company: _Company, kind: int) -> None:
        self.email = email
        self.company = company
        self.kind = kind
        self.remaining = 0  # events still to spend
        self.end = 0.0  # business time by which to spend them
        self.pace = 0.0  # its usual business seconds per event
        self.consent = False  # partner_marketing consent in force
        self.objected = ""  # objection scope in force, if any
        self.phone = False
        self.title = False
        self.billing = False
        self.delivery = False
        self.xsite = False  # delivery address abroad collected
        self.orders = 0
        self.done = False
        # (time, order, command or episode, what it is), latest first.
        self.queue: list[_Entry] = []
        # Nothing new may start before this: a state change is pending.
        self.barrier = 0.0


# Typical events of each episode: spreads the budget over the lifetime.
_TYPICAL: dict[str, float] = {
    "newsletter": 2,
    "leak": 3,
    "sales": 1,
    "research": 1,
    "consent": 1,
    "partner": 1,
    "partner_breach": 2,
    "withdraw": 1,
    "object": 1,
    "lift": 1,
    "convert": 1,
    "end": 1,
    "order": 2.3,
    "billing": 1,
    "debt": 1,
    "group_us": 1,
    "group_se": 1,
    "memo": 1,
    "support": 1,
    "service": 1,
    "complaint": 1.6,
    "rectify": 1,
    "restrict": 3,
    "access": 2.2,
    "portability": 2.2,
    "erasure": 3,
    "left": 1,
    "fade": 1,
}


def _weights(
    kind: int, objected: bool, consent: bool, phone: bool, ordered: bool
) -> list[tuple[str, float]]:
    """How likely each next episode is for a contact in this state."""
    w: list[tuple[str, float]] = []
    if kind == KEY:
        w += [
            ("order", 10.0),
            ("memo", 0.8),
            ("support", 0.8),
            ("service", 0.4),
            ("group_us", 0.3),
            ("group_se", 0.1),
            ("billing", 0.05),
            ("complaint", 0.1),
            ("access", 0.01),
            ("debt", 0.02 if ordered else 0.0),
            ("rectify", 0.05 if phone else 0.0),
            ("newsletter", 0.0 if objected else 1.6),
        ]
        return [(name, x) for name, x in w if x > 0]
    customer = kind == CUSTOMER
    if customer:
        w += [
            ("order", 4.0),
            ("memo", 0.8),
            ("support", 0.6),
            ("service", 0.3),
            ("group_us", 0.25),
            ("group_se", 0.1),
            ("billing", 0.15),
            ("complaint", 0.12),
            ("left", 0.08),
            ("end", 0.03),
            ("debt", 0.06 if ordered else 0.0),
            ("access", 0.05),
            ("portability", 0.02),
            ("erasure", 0.012),
        ]
    else:
        w += [
            ("memo", 0.3),
            ("convert", 0.45),
            ("fade", 0.08),
            ("left", 0.06),
            ("access", 0.04),
            ("portability", 0.005),
            ("erasure", 0.03),
        ]
    if phone:
        w += [("rectify", 0.12), ("restrict", 0.015)]
    if objected:
        w += [("leak", 0.5), ("lift", 0.03), ("fade", 0.0 if customer else 0.8)]
        if consent:
            w.append(("withdraw", 0.5))
    else:
        w += [
            ("newsletter", 2.0 if customer else 5.0),
            ("sales", (0.4 if customer else 1.0) if phone else 0.0),
            ("research", 0.2),
            ("object", 0.12 if customer else 0.2),
        ]
        if consent:
            w += [("partner", 0.8), ("withdraw", 0.25)]
        else:
            w += [("consent", 0.12 if customer else 0.35), ("partner_breach", 0.07)]
    return [(name, x) for name, x in w if x > 0]


def _lifetime(
    rng: Random, at: float, kind: int, events: int, budget: int = 0
) -> tuple[float, int]:
    """Until when a contact is active, and the events it records by then
    (``events`` of them at registration)."""
    if kind == KEY:
        return T_LAST, max(budget, events)
    if kind == PROSPECT:
        life = MONTH * (3 + 12 * rng.random())
        wanted = events - 24 * math.log(1 - rng.random())
    else:
        months = math.exp(rng.gauss(math.log(14), 0.5))
        life = MONTH * min(max(months, 4), 40)
        wanted = events + min(math.exp(rng.gauss(math.log(35), 0.7)), 400)
    # Cut at the end of 2025 like the rest of its life.
    fraction = min(1.0, (T_LAST - at) / life)
    return min(at + life, T_LAST), max(events, round(wanted * fraction))


@cache
def _arrival_curve(points: int = 61, samples: int = 200) -> tuple[float, ...]:
    """For arrivals at evenly spaced times: the events one contact arriving
    at each time or later records, per unit of arrival rate (its integral to
    the end of 2025). Contacts arriving late are cut short, so arrivals at a
    steady rate reach a target without a rush at the end."""
    rng = Random("kirjuri-bench-arrivals")
    step = T_LAST / (points - 1)
    means = []
    for k in range(points):
        at = k * step
        total = sum(
            _lifetime(rng, at, PROSPECT if i % 2 else CUSTOMER, 4 if i % 2 else 6)[1]
            for i in range(samples)
        )
        means.append(total / samples)
    tail = [0.0] * points
    for k in range(points - 2, -1, -1):
        tail[k] = tail[k + 1] + step * (means[k] + means[k + 1]) / 2
    return tuple(tail)


def _events_after(at: float) -> float:
    """`_arrival_curve` at any time (linear between its points)."""
    curve = _arrival_curve()
    x = min(max(at / T_LAST, 0.0), 1.0) * (len(curve) - 1)
    k = min(int(x), len(curve) - 2)
    return curve[k] + (curve[k + 1] - curve[k]) * (x - k)


Episode: TypeAlias = "Callable[[_Contact, float], int]"
_Table: TypeAlias = "tuple[list[float], list[int], list[float], list[bool]]"
_NAMES = tuple(_TYPICAL)  # episodes by number
# Episodes that change what later processing is judged by.
_BARRIERS = frozenset(
    {"consent", "withdraw", "object", "lift", "convert", "end", "restrict"}
    | {"erasure", "left", "fade"}
)


class _World:
    """The simulation behind one `generate` call."""

    def __init__(self, events: int, seed: int) -> None:
        rng = Random(f"kirjuri-bench-{seed}")
        self.rng = rng
        self.rnd = rng.random
        # Key accounts: about 0.1 % of the contacts, about 10 % of the events.
        keys = max(1, round(events * 4.5e-5))
        self.key_budget = round(events * 0.10)
        self.target = events - self.key_budget  # regular contacts' events
        self.cum = 0  # events handed out to regular contacts (net of leftovers)
        self.next_arrival = 0.0
        self.arrivals = events > 0 and self.target > 0
        # Arrivals per business second: steady, at most thrice the average.
        self.max_rate = 3 * max(self.target, 1) / _events_after(0.0)
        self.now = 0.0
        self.heap: list[tuple[float, int, _Contact]] = []
        self.seq = 0
        self.pool: list[_Company] = []  # companies still hiring contacts
        self.counters = {"order": 100000, "request": 0, "contract": 0, "invoice": 0}
        self.consents = 0
        # Seeded permutations: unique names per family, unique business IDs.
        self.families = [
            [size, _coprime_multiplier(rng, size), rng.randrange(size), 0]
            for size in FAMILY_SIZES
        ]
        self.bid_span = 2_500_000  # Y-tunnus 0700000..3199999
        self.bid_a = _coprime_multiplier(rng, self.bid_span)
        self.bid_b = rng.randrange(self.bid_span)
        self.bid_k = 0
        self.tables: dict[int, _Table] = {}
        self.batch: list[tuple[float, Command]] = []  # the episode being planned
        # By number: a planned episode is (time, order, number, tag), a tuple
        # of numbers the garbage collector need not look into.
        self.episodes: list[Episode] = [getattr(self, "_ep_" + n) for n in _NAMES]
        if events > 0 and self.key_budget > 0:
            shares = [0.6 + 0.8 * self.rnd() for _ in range(keys)]
            total = sum(shares)
            left = self.key_budget
            for i, share in enumerate(shares):
                budget = (
                    left if i == keys - 1 else round(self.key_budget * share / total)
                )
                left -= budget
                self._start(self.rnd() * 30 * DAY, KEY, budget)

    # --- companies and people ------------------------------------------------

    def _company(self, key: bool) -> _Company:
        rnd = self.rnd
        pool = self.pool
        if not key and pool and (len(pool) >= 64 or rnd() < 0.5):
            i = int(rnd() * len(pool))
            company = pool[i]
            company.headcount -= 1
            if company.headcount <= 0:
                pool[i] = pool[-1]
                pool.pop()
            return company
        family = self._family(key)
        size, a, b, k = self.families[family]
        self.families[family][3] = k + 1
        distinct, slug, language = company_name(family, (a * k + b) % size)
        if k >= size:  # the family is used up: a numbered round of names
            distinct, slug = f"{distinct} {k // size + 1}", f"{slug}-{k // size + 1}"
        se = language == _SE
        if language == _FI:
            suffix = "Oyj" if rnd() < (0.5 if key else 0.05) else "Oy"
        else:
            suffix = "AB" if se else ("Oy Ab" if rnd() < 0.4 else "Ab")
        if se:
            town, code = SE_TOWNS[int(rnd() * len(SE_TOWNS))]
            street = f"{SE_STREETS[int(rnd() * len(SE_STREETS))]} {1 + int(rnd() * 60)}"
            billing = delivery = f"{street}, {code} {town}"
            export = None
        else:
            town, code = TOWNS[int(rnd() * len(TOWNS))]
            street = f"{STREETS[int(rnd() * len(STREETS))]} {1 + int(rnd() * 120)}"
            delivery = f"{street}, {code} {town}"
            billing = (
                f"PL {1 + int(rnd() * 400)}, {code[:2]}101 {town}"
                if rnd() < 0.4
                else delivery
            )
            if rnd() < 0.5:
                other = STREETS[int(rnd() * len(STREETS))]
                delivery = f"{other} {1 + int(rnd() * 120)}, {code} {town}"
            export = (
                EXPORT_SITES[int(rnd() * len(EXPORT_SITES))]
                if rnd() < (0.4 if key else 0.12)
                else None
            )
        draw = rnd()
        headcount = (
            1
            if draw < 0.45
            else 2 + int(rnd() * 2)
            if draw < 0.8
            else 4 + int(rnd() * 5)
            if draw < 0.97
            else 9 + int(rnd() * 17)
        )
        if key:
            headcount = 3 + int(rnd() * 8)
        company = _Company(
            name=f"{distinct} {suffix}",
            domain=slug + ".example",
            bid=None if se else self._business_id(),
            se=se,
            billing=billing,
            delivery=delivery,
            export=export,
            headcount=headcount - 1,
        )
        if company.headcount > 0:
            pool.append(company)
        return company

    def _family(self, key: bool) -> int:
        rnd = self.rnd
        weights = [0.0 if (key and f >= 4) else w for f, w in enumerate(FAMILY_WEIGHTS)]
        # Prefer families with names left; all used up: any, numbered.
        fresh = [
            w if self.families[f][3] < FAMILY_SIZES[f] else 0.0
            for f, w in enumerate(weights)
        ]
        if sum(fresh) > 0:
            weights = fresh
        draw = rnd() * sum(weights)
        for family, weight in enumerate(weights):
            draw -= weight
            if draw < 0 and weight > 0:
                return family
        return 3

    def _business_id(self) -> str:
        while True:
            k = self.bid_k
            self.bid_k += 1
            number = 700000 + (self.bid_a * k + self.bid_b) % self.bid_span
            found = business_id(number)
            if found is not None:
                return found

    def _phone(self, company: _Company) -> str:
        rnd = self.rnd
        if company.se:
            return (
                f"+46 70 {100 + int(rnd() * 900)} {int(rnd() * 100):02d}"
                f" {int(rnd() * 100):02d}"
            )
        prefix = _PHONE_PREFIXES[int(rnd() * len(_PHONE_PREFIXES))]
        return f"+358 {prefix} {100 + int(rnd() * 900)} {int(rnd() * 10000):04d}"

    def _person(self, company: _Company) -> tuple[str, str]:
        """A name and an email address unique within the company."""
        rnd = self.rnd
        if company.se:
            first = SE_FIRST_NAMES[int(rnd() * len(SE_FIRST_NAMES))]
            last = SE_SURNAMES[int(rnd() * len(SE_SURNAMES))]
        else:
            first = FIRST_NAMES[int(rnd() * len(FIRST_NAMES))]
            last = SURNAMES[int(rnd() * len(SURNAMES))]
        local = _fold(f"{first}.{last}")
        if local in company.used:
            n = 2
            while f"{local}{n}" in company.used:
                n += 1
            local = f"{local}{n}"
        company.used += (local,)
        return f"{first} {last}", f"{local}@{company.domain}"

    def _prospect_source(self) -> tuple[str, tuple[str, ...]]:
        draw = self.rnd()
        for share, source, purposes in _PROSPECT_SOURCES:
            draw -= share
            if draw < 0:
                return source, purposes
        return _PROSPECT_SOURCES[0][1:]

    def _start(
        self, at: float, kind: int, budget: int = 0, most: int | None = None
    ) -> int:
        """A new contact, registered at ``at``; returns the events it may spend."""
        rnd = self.rnd
        company = self._company(kind == KEY)
        name, email = self._person(company)
        contact = _Contact(email, company, kind)
        register: Command = {"kind": "register", "company": company.name}
        if company.business_id is not None:
            register["business_id"] = company.business_id
        if company.headcount <= 0:
            company.retire()
        if kind == PROSPECT:
            source, purposes = self._prospect_source()
            contact.phone = rnd() < (0.5 if source == "event_attendee_list" else 0.3)
            contact.title = source != "company_website" or rnd() < 0.5
        else:
            source, purposes = "subject", ("customer_relationship",)
            contact.phone = contact.title = True
        register["source"] = source
        register["name"] = name
        register["email"] = email
        if contact.phone:
            register["phone"] = self._phone(company)
        if contact.title:
            register["title"] = TITLES[int(rnd() * len(TITLES))]
        register["purposes"] = list(purposes)
        register["at"] = ""
        register["reported_by"] = "crm"
        # Registered, name, email, phone and title collected.
        events = 3 + contact.phone + contact.title
        self.seq += 1
        queue: list[_Entry] = [(at, self.seq, register, _PLAIN)]
        if kind == PROSPECT:
            # Collected from another party: told of it at once (Art. 14).
            self.seq += 1
            informed: Command = {
                "kind": "informed",
                "subject": email,
                "channel": "email",
                "reference": "privacy-notice",
                "at": "",
                "reported_by": "crm",
            }
            queue.append((min(at + DAY * 0.01, T_LAST), self.seq, informed, _STARTS))
            events += 1
        else:
            later = min(at + DAY * (0.1 + 3 * rnd()), T_LAST)
            self.seq += 1
            start = self._relationship(contact, later, "start")
            queue.append((later, self.seq, start, _STARTS))
            events += 1
        contact.queue = queue[::-1]
        contact.end, wanted = _lifetime(self.rng, at, kind, events, budget)
        if most is not None:  # the last few events of the target
            wanted = max(events, min(wanted, most))
        contact.pace = (contact.end - at) / max(wanted, 1)
        contact.remaining = wanted - events
        self._push(contact)
        return wanted

    def _push(self, contact: _Contact) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (contact.queue[-1][0], self.seq, contact))

    def _arrive(self) -> None:
        at = self.next_arrival
        draw = self.rnd()
        kind = PROSPECT if draw < 0.5 else CUSTOMER
        self.cum += self._start(at, kind, most=self.target - self.cum)
        self._schedule_arrival(at)

    def _schedule_arrival(self, after: float) -> None:
        """At a steady rate that spends what is left of the target by the end."""
        left = self.target - self.cum
        self.arrivals = False
        if left <= 0:
            return
        at = max(after, self.now)
        rate = min(left / max(_events_after(at), 1.0), self.max_rate)
        at += (0.5 + self.rnd()) / rate
        if at <= T_LAST:
            self.arrivals = True
            self.next_arrival = at

    def _finish(self, contact: _Contact) -> None:
        if contact.kind != KEY and contact.remaining:
            self.cum -= contact.remaining  # unspent (or overspent) budget
            if self.cum < self.target and not self.arrivals:
                self._schedule_arrival(self.now)

    # --- the stream ------------------------------------------------------------

    def run(self) -> Iterator[Command]:
        heap = self.heap
        prefixes, hms, offsets = _PREFIX, _HMS, _OFFSET
        heappop, heapreplace = heapq.heappop, heapq.heapreplace
        plan, build = self._plan, self._build
        while True:
            if self.arrivals and (not heap or self.next_arrival <= heap[0][0]):
                self._arrive()
                continue
            if not heap:
                return
            contact = heap[0][2]
            queue = contact.queue
            when, _, payload, tag = queue.pop()
            self.now = when
            if tag >= _PLANNED:
                # Its time has come: only now are its commands made (so that
                # a contact waiting for months holds no command).
                episode = self.episodes[payload]
                build(contact, episode, when, barrier=tag == _PLANNED_BARRIER)
            else:
                second = int(when)
                day = second // DAY
                payload["at"] = prefixes[day] + hms[second - day * DAY] + offsets[day]
                yield payload
                # An episode began: plan the next one (episodes may overlap).
                if tag == _STARTS and contact.remaining > 0 and not contact.done:
                    plan(contact, when)
            if queue:
                self.seq += 1
                heapreplace(heap, (queue[-1][0], self.seq, contact))
            else:
                heappop(heap)
                self._finish(contact)

    def _plan(self, contact: _Contact, clock: float) -> None:
        """The contact's next episode: which, and when."""
        code = (
            contact.kind * 16
            + (8 if contact.objected else 0)
            + (4 if contact.consent else 0)
            + (2 if contact.phone else 0)
            + (1 if contact.orders else 0)
        )
        table = self.tables.get(code)
        if table is None:
            table = self.tables[code] = self._table(code)
        cumulative, episodes, typicals, barriers = table
        rnd = self.rnd
        chosen = bisect_right(cumulative, rnd() * cumulative[-1])
        typical = typicals[chosen]
        # Spend the budget evenly over what is left of the lifetime (at
        # least a day: episodes may run past the planned end).
        span = max(contact.end - clock, DAY)
        share = typical / contact.remaining if contact.remaining > typical else 1.0
        # A contact behind its schedule catches up, but not in a rush.
        gap = max(span * share, 0.5 * contact.pace * typical) * (0.15 + 1.64 * rnd())
        at = max(clock + gap, contact.barrier)
        queue = contact.queue
        barrier = barriers[chosen]
        if barrier and queue:
            # A change of state comes after everything planned before it,
            # so that each command is judged by the state it was planned in.
            at = max(at, queue[0][0])
        if at > T_LAST:  # out of time: the rest of the budget goes unspent
            contact.done = True
            return
        self.seq += 1
        tag = _PLANNED_BARRIER if barrier else _PLANNED
        insort(queue, (at, self.seq, episodes[chosen], tag), key=_latest_first)

    def _build(
        self, contact: _Contact, episode: Episode, at: float, *, barrier: bool
    ) -> None:
        """The commands of an episode that starts now."""
        batch = self.batch
        batch.clear()
        spent = episode(contact, at)
        contact.remaining -= spent  # after the call: a conversion adds budget
        if not batch:
            return
        queue = contact.queue
        seq, tag = self.seq, _STARTS
        for when, command in batch:
            if when > T_LAST:  # would happen in 2026: not recorded
                erase = command["kind"] == "erase" and command["request_id"]
                contact.remaining += 2 if erase else 1  # erased, request answered
                # A change of state left half done (restricted, never lifted)
                # would colour what follows: nothing follows.
                contact.done = contact.done or barrier
                continue
            seq += 1
            queue.append((when, seq, command, tag))
            tag = _PLAIN
        self.seq = seq
        if len(queue) > 1:
            queue.sort(key=_latest_first)
        if barrier:
            contact.barrier = queue[0][0]

    def _table(self, code: int) -> _Table:
        weights = _weights(
            code // 16, bool(code & 8), bool(code & 4), bool(code & 2), bool(code & 1)
        )
        cumulative, running = [], 0.0
        for _, weight in weights:
            running += weight
            cumulative.append(running)
        return (
            cumulative,
            [_NAMES.index(name) for name, _ in weights],
            [_TYPICAL[name] for name, _ in weights],
            [name in _BARRIERS for name, _ in weights],
        )

    # --- episodes: append (time, command) to the batch, return events --------

    def _subject(self, contact: _Contact, kind: str, reported_by: str) -> Command:
        return {
            "kind": kind,
            "subject": contact.email,
            "at": "",
            "reported_by": reported_by,
        }

    def _relationship(self, contact: _Contact, at: float, which: str) -> Command:
        self.counters["contract"] += 1
        day = int(at) // DAY
        return {
            "kind": f"{which}-relationship",
            "subject": contact.email,
            "reference": f"SOP-{_YEAR[day]}-{self.counters['contract']:05d}",
            "at": "",
            "reported_by": "erp",
        }

    def _ep_newsletter(self, contact: _Contact, at: float) -> int:
        # Campaigns go out at about ten the next working morning.
        campaign = (int(at) // DAY + 1) * DAY + 7200 + 1800 * self.rnd()
        at = campaign if campaign < T_LAST else at
        self.batch.append(
            (
                at,
                {
                    "kind": "process",
                    "subject": contact.email,
                    "purpose": "electronic_marketing",
                    "categories": ["name", "email"],
                    "activity": "newsletter_sent",
                    "recipient": "email_marketing_platform",
                    "at": "",
                    "reported_by": "email_marketing",
                },
            )
        )
        # Processed + transferred (a US processor); a finding after an objection.
        return 3 if contact.objected else 2

    _ep_leak = _ep_newsletter

    def _ep_sales(self, contact: _Contact, at: float) -> int:
        self.batch.append(
            (
                at,
                {
                    "kind": "process",
                    "subject": contact.email,
                    "purpose": "direct_marketing",
                    "categories": ["name", "phone"],
                    "activity": "sales_call",
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        return 1

    def _ep_research(self, contact: _Contact, at: float) -> int:
        self.batch.append(
            (
                at,
                {
                    "kind": "process",
                    "subject": contact.email,
                    "purpose": "market_research",
                    "categories": ["name", "email"],
                    "activity": "customer_survey_sent",
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        return 1

    def _ep_consent(self, contact: _Contact, at: float) -> int:
        self.consents += 1
        day = int(at) // DAY
        contact.consent = True
        self.batch.append(
            (
                at,
                {
                    "kind": "consent",
                    "subject": contact.email,
                    "purpose": "partner_marketing",
                    "channel": "web_form",
                    "evidence": f"consent-form-{_DATE[day]}-{self.consents:06d}",
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        return 1

    def _ep_partner(self, contact: _Contact, at: float) -> int:
        self.batch.append(
            (
                at,
                {
                    "kind": "disclose",
                    "subject": contact.email,
                    "recipient": "marketing_partner",
                    "categories": ["name", "email", "company"],
                    "purpose": "partner_marketing",
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        return 1 if contact.consent else 2  # no consent: a finding

    _ep_partner_breach = _ep_partner

    def _ep_withdraw(self, contact: _Contact, at: float) -> int:
        contact.consent = False
        command = self._subject(contact, "withdraw-consent", "email_marketing")
        command["purpose"] = "partner_marketing"
        command["channel"] = "unsubscribe_link"
        self.batch.append((at, command))
        return 1

    def _ep_object(self, contact: _Contact, at: float) -> int:
        rnd = self.rnd
        if rnd() < 0.7:
            scope, channel, by = (
                "direct_marketing",
                "unsubscribe_link",
                "email_marketing",
            )
        else:
            scope, channel, by = "sales_contact", "customer_service", "crm"
        contact.objected = scope
        command = self._subject(contact, "object", by)
        command["scope"] = scope
        command["channel"] = channel
        self.batch.append((at, command))
        return 1

    def _ep_lift(self, contact: _Contact, at: float) -> int:
        command = self._subject(contact, "lift-objection", "crm")
        command["scope"] = contact.objected
        command["channel"] = "customer_service"
        contact.objected = ""
        self.batch.append((at, command))
        return 1

    def _ep_convert(self, contact: _Contact, at: float) -> int:
        contact.kind = CUSTOMER
        self.batch.append((at, self._relationship(contact, at, "start")))
        life = MONTH * (6 + 24 * self.rnd())
        more = round(
            math.exp(self.rng.gauss(math.log(18), 0.6)) * min(1.0, (T_LAST - at) / life)
        )
        contact.end = min(max(contact.end, at + life), T_LAST)
        contact.remaining += more
        contact.pace = (contact.end - at) / max(contact.remaining, 1)
        self.cum += more
        return 1

    def _ep_end(self, contact: _Contact, at: float) -> int:
        contact.kind = PROSPECT
        self.batch.append((at, self._relationship(contact, at, "end")))
        return 1

    def _ep_order(self, contact: _Contact, at: float) -> int:
        rnd = self.rnd
        queue, company, email = self.batch, contact.company, contact.email
        events = 0
        if not contact.billing:
            contact.billing = True
            queue.append(
                (
                    at,
                    self._collect(
                        contact,
                        "billing_address",
                        company.billing,
                        "invoicing_accounting",
                    ),
                )
            )
            events += 1
        if not contact.delivery:
            contact.delivery = True
            queue.append(
                (
                    at,
                    self._collect(
                        contact, "delivery_address", company.delivery, "order_delivery"
                    ),
                )
            )
            events += 1
        self.counters["order"] += 1
        number = self.counters["order"]
        quantity = QUANTITIES[int(rnd() * len(QUANTITIES))]
        product = PRODUCTS[int(rnd() * len(PRODUCTS))]
        value = f"Order {number}: {quantity} {product}"
        site = company.export
        export = site is not None and rnd() < 0.35
        purposes = ["order_delivery", "invoicing_accounting"]
        if export and site is not None:
            value += f", delivery to {site[1]}"
            purposes.insert(1, "customs_export")
            if not contact.xsite:
                contact.xsite = True
                queue.append(
                    (
                        at,
                        self._collect(
                            contact, "delivery_address", site[2], "order_delivery"
                        ),
                    )
                )
                events += 1
        queue.append(
            (
                at,
                {
                    "kind": "collect",
                    "subject": email,
                    "category": "orders",
                    "value": value,
                    "source": "subject",
                    "purposes": purposes,
                    "at": "",
                    "reported_by": "erp",
                },
            )
        )
        reference = str(number)
        if export and site is not None:
            queue.append(
                (
                    at + DAY * (0.5 + 2 * rnd()),
                    {
                        "kind": "disclose",
                        "subject": email,
                        "recipient": site[0],
                        # Minimised: customs gets the consignee, not the person.
                        "categories": ["company", "delivery_address", "orders"],
                        "purpose": "customs_export",
                        "reference": reference,
                        "at": "",
                        "reported_by": "erp",
                    },
                )
            )
            events += 1
        queue.append(
            (
                at + DAY * (1 + 6 * rnd()),
                {
                    "kind": "disclose",
                    "subject": email,
                    "recipient": "delivery_partner",
                    "categories": ["name", "phone", "delivery_address", "company"],
                    "purpose": "order_delivery",
                    "reference": reference,
                    "at": "",
                    "reported_by": "erp",
                },
            )
        )
        contact.orders += 1
        return events + 2

    def _collect(
        self, contact: _Contact, category: str, value: str, purpose: str
    ) -> Command:
        return {
            "kind": "collect",
            "subject": contact.email,
            "category": category,
            "value": value,
            "source": "subject",
            "purposes": [purpose],
            "at": "",
            "reported_by": "erp",
        }

    def _ep_billing(self, contact: _Contact, at: float) -> int:
        rnd = self.rnd
        town, code = TOWNS[int(rnd() * len(TOWNS))]
        if contact.company.se:
            town, code = SE_TOWNS[int(rnd() * len(SE_TOWNS))]
            value = f"Box {1 + int(rnd() * 900)}, {code} {town}"
        else:
            value = f"PL {1 + int(rnd() * 400)}, {code[:2]}101 {town}"
        contact.billing = True
        self.batch.append(
            (
                at,
                self._collect(
                    contact, "billing_address", value, "invoicing_accounting"
                ),
            )
        )
        return 1

    def _ep_debt(self, contact: _Contact, at: float) -> int:
        self.counters["invoice"] += 1
        year = _YEAR[int(at) // DAY]
        self.batch.append(
            (
                at,
                {
                    "kind": "disclose",
                    "subject": contact.email,
                    "recipient": "debt_collector",
                    "categories": ["name", "company", "billing_address", "orders"],
                    "purpose": "debt_collection",
                    "reference": f"INV-{year}-{self.counters['invoice']:06d}",
                    "at": "",
                    "reported_by": "erp",
                },
            )
        )
        return 1

    def _ep_group_us(self, contact: _Contact, at: float) -> int:
        categories = (
            ["name", "email", "company"]
            if self.rnd() < 0.7
            else ["name", "title", "email", "company", "customer_history"]
        )
        self.batch.append(
            (
                at,
                {
                    "kind": "transfer",
                    "subject": contact.email,
                    "recipient": "group_company_us",
                    "country": "US",
                    "safeguard": "scc",
                    "categories": categories,
                    "purpose": "group_administration",
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        return 1

    def _ep_group_se(self, contact: _Contact, at: float) -> int:
        self.batch.append(
            (
                at,
                {
                    "kind": "disclose",
                    "subject": contact.email,
                    "recipient": "group_company_se",
                    "categories": ["name", "email", "company"],
                    "purpose": "customer_relationship",
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        return 1

    def _ep_memo(self, contact: _Contact, at: float) -> int:
        self.batch.append(
            (
                at,
                {
                    "kind": "collect",
                    "subject": contact.email,
                    "category": "customer_history",
                    "value": MEMOS[int(self.rnd() * len(MEMOS))],
                    "source": "group_systems",
                    "purposes": ["customer_relationship"],
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        return 1

    def _ep_support(self, contact: _Contact, at: float) -> int:
        self.batch.append(
            (
                at,
                {
                    "kind": "process",
                    "subject": contact.email,
                    "purpose": "customer_service",
                    "categories": ["name", "email", "customer_history"],
                    "activity": "support_ticket",
                    "recipient": "customer_support_system",
                    "at": "",
                    "reported_by": "customer_service",
                },
            )
        )
        return 1

    def _ep_service(self, contact: _Contact, at: float) -> int:
        self.batch.append(
            (
                at,
                {
                    "kind": "process",
                    "subject": contact.email,
                    "purpose": "service_maintenance",
                    "categories": ["name", "phone", "delivery_address"],
                    "activity": "maintenance_visit",
                    "at": "",
                    "reported_by": "erp",
                },
            )
        )
        return 1

    def _ep_complaint(self, contact: _Contact, at: float) -> int:
        rnd = self.rnd
        order = str(self.counters["order"] - int(rnd() * 50))
        text = COMPLAINTS[int(rnd() * len(COMPLAINTS))].format(order)
        queue = self.batch
        queue.append(
            (
                at,
                {
                    "kind": "collect",
                    "subject": contact.email,
                    "category": "complaints",
                    "value": text,
                    "source": "subject",
                    "purposes": ["customer_service", "legal_claims"],
                    "at": "",
                    "reported_by": "crm",
                },
            )
        )
        if rnd() < 0.3:  # a dispute: keep everything until it is resolved
            held = at + DAY * (0.5 + rnd())
            hold = self._subject(contact, "hold", "customer_service")
            hold["reason"] = f"Open complaint on order {order}"
            release = self._subject(contact, "release-hold", "customer_service")
            release["reason"] = "Complaint resolved with a credit note"
            queue.append((held, hold))
            queue.append((held + DAY * (10 + 30 * rnd()), release))
            return 3
        return 1

    def _ep_rectify(self, contact: _Contact, at: float) -> int:
        command = self._subject(contact, "rectify", "crm")
        if contact.title and self.rnd() < 0.3:
            command["category"] = "title"
            command["value"] = TITLES[int(self.rnd() * len(TITLES))]
        else:
            command["category"] = "phone"
            command["value"] = self._phone(contact.company)
        command["source"] = "subject"
        self.batch.append((at, command))
        return 1

    def _ep_restrict(self, contact: _Contact, at: float) -> int:
        # Accuracy contested: restricted until the phone number is corrected.
        rnd = self.rnd
        restrict = self._subject(contact, "restrict", "customer_service")
        restrict["ground"] = "accuracy_contested"
        fixed = at + DAY * (2 + 3 * rnd())
        rectify = self._subject(contact, "rectify", "customer_service")
        rectify["category"] = "phone"
        rectify["value"] = self._phone(contact.company)
        rectify["source"] = "subject"
        lift = self._subject(contact, "lift-restriction", "customer_service")
        self.batch += [(at, restrict), (fixed, rectify), (fixed + 0.5 * DAY, lift)]
        return 3

    def _request(self, contact: _Contact, at: float, kind: str) -> tuple[str, Command]:
        self.counters["request"] += 1
        request_id = f"R-{self.counters['request']:06d}"
        command = self._subject(contact, "request", "customer_service")
        command["type"] = kind
        command["channel"] = _CHANNELS[int(self.rnd() * len(_CHANNELS))]
        command["received_on"] = _DATE[int(at) // DAY]
        command["request_id"] = request_id
        return request_id, command

    def _answer(self, request_id: str, kind: str = "answer-request") -> Command:
        return {
            "kind": kind,
            "request_id": request_id,
            "at": "",
            "reported_by": "customer_service",
        }

    def _ep_access(self, contact: _Contact, at: float, kind: str = "access") -> int:
        rnd = self.rnd
        request_id, command = self._request(contact, at, kind)
        queue = self.batch
        queue.append((at, command))
        if rnd() < 0.2:  # extended, told within the first month
            extend = self._answer(request_id, "extend-request")
            extend["reason"] = "Records from the group's US systems must be collected"
            told = at + DAY * (5 + 10 * rnd())
            queue.append((told, extend))
            queue.append((told + DAY * (10 + 20 * rnd()), self._answer(request_id)))
            return 3
        queue.append((at + DAY * (2 + 16 * rnd()), self._answer(request_id)))
        return 2

    def _ep_portability(self, contact: _Contact, at: float) -> int:
        return self._ep_access(contact, at, "portability")

    def _ep_erasure(self, contact: _Contact, at: float) -> int:
        request_id, command = self._request(contact, at, "erasure")
        erase = self._subject(contact, "erase", "customer_service")
        erase["request_id"] = request_id
        self.batch += [(at, command), (at + DAY * (3 + 12 * self.rnd()), erase)]
        contact.done = True
        return 3  # received; erased and answered

    def _ep_left(self, contact: _Contact, at: float) -> int:
        self.batch.append((at, self._subject(contact, "left", "crm")))
        contact.done = True
        return 1

    def _ep_fade(self, contact: _Contact, at: float) -> int:
        contact.done = True  # went cold: nothing more is recorded
        return 0


def generate(events: int, seed: int = 2025) -> Iterator[dict[str, Any]]:
    """Commands in time order whose recorded events add up to about ``events``."""
    if events < 0:
        raise ValueError("events must not be negative")
    return _World(events, seed).run()


def _write_lines(commands: Iterator[Command]) -> int:
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    write = sys.stdout.write
    count = 0
    lines = []
    for command in commands:
        lines.append(dumps(command))
        if len(lines) == 4096:
            count += len(lines)
            write("\n".join(lines) + "\n")
            lines.clear()
    count += len(lines)
    if lines:
        write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write a realistic command stream as JSON lines to stdout.",
    )
    parser.add_argument("events", type=int, help="about how many events to record")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--stats", action="store_true", help="print counts and speed to stderr"
    )
    args = parser.parse_args(argv)
    # The simulation makes no reference cycles; the collector's passes over
    # the live contacts would only cost time.
    collecting = gc.isenabled()
    gc.disable()
    started = time.perf_counter()
    try:
        count = _write_lines(generate(args.events, args.seed))
    finally:
        if collecting:
            gc.enable()
    if args.stats:
        seconds = time.perf_counter() - started
        print(
            f"{count} commands in {seconds:.2f} s ({count / seconds:,.0f}/s)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
