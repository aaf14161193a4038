"""The sections of the access report, in the order of GDPR Art. 15: the
controller, the subject and the request, then Art. 15(1)(a)-(h), Art. 15(2),
the integrity of the records, and a block to sign."""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.reports.consultations import consultations_section
from projections.reports.document import (
    BLANK,
    Block,
    Cell,
    Fields,
    Items,
    Outline,
    Para,
    Section,
    SignOff,
    Sub,
    Table,
    cols,
    day_text,
    label_of,
    moment_day,
    moment_text,
    or_blank,
    or_none,
    yes_no,
)
from projections.reports.sections_erasure import erasure_blocks, told
from projections.reports.sections_recipients import (
    recipients_section,
    transfers_section,
)
from projections.reports.texts import text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from projections.reports.access import (
        AccessReport,
        HeldValue,
        IntegrityEntry,
        RequestEntry,
        RetentionEntry,
        SourceEntry,
        Switch,
    )
    from projections.reports.model import Language


def _controller(report: AccessReport) -> Section:
    lang, party = report.language, report.controller
    items = [
        (text("label.name", lang), party.name),
        (text("label.address", lang), party.address),
        (text("label.contact", lang), party.contact),
    ]
    if party.email:
        items.append((text("label.privacy_email", lang), party.email))
    blocks: list[Block] = [Fields(tuple(items))]
    if report.notice_updated is not None:
        # Which notice this answer reflects, and that it states more.
        notice = day_text(report.notice_updated, lang)
        blocks.append(Para(text("label.notice_version", lang).format(day=notice)))
    return Section("controller", text("heading.controller", lang), tuple(blocks))


def _addressee(report: AccessReport) -> str:
    """Name and company; after an erasure, what the law kept (the billing
    address on the invoices) or the request itself."""
    lang = report.language
    parts = [p for p in (_name_of(report), report.subject.company) if p]
    if not parts:
        kept = [
            v.value
            for v in report.personal_data
            if v.category == "billing_address" and v.current and v.value
        ]
        parts = kept[-1:]
    request = report.request
    if not parts and request is not None:
        parts = [text("label.addressee_of", lang).format(request=request.request_id)]
    return ", ".join(parts) or BLANK


def _head(report: AccessReport) -> tuple[tuple[str, str], ...]:
    """The letter's head: from whom, to whom, when, about what, and where
    to write about data protection."""
    lang, party, request = report.language, report.controller, report.request
    head = [
        (text("label.from", lang), f"{party.name}, {party.address}"),
        (text("label.to", lang), _addressee(report)),
        (text("label.letter_date", lang), moment_day(report.generated_at, lang)),
    ]
    if request is not None:
        about = label_of("request", request.type, lang)
        received = day_text(request.received_on, lang)
        head.append(
            (
                text("label.regarding", lang),
                text("label.regarding_value", lang).format(
                    request=about, id=request.request_id, day=received
                ),
            )
        )
    head.append((text("label.contact", lang), party.email or party.contact))
    return tuple(head)


def _name_of(report: AccessReport) -> str | None:
    """The person's current name, where the policy records one as "name"."""
    names = [v for v in report.personal_data if v.category == "name" and v.current]
    return names[-1].value if names else None


def _subject(report: AccessReport) -> Section:
    lang, subject = report.language, report.subject
    name = _name_of(report)
    items = [(text("label.name", lang), name)] if name else []
    items += [
        (text("label.company", lang), or_blank(subject.company)),
        (text("label.business_id", lang), or_blank(subject.business_id)),
        (text("label.status", lang), label_of("status", subject.status, lang)),
    ]
    if subject.registered_at is not None:
        registered = moment_day(subject.registered_at, lang)
        items.append((text("label.registered_at", lang), registered))
    if subject.left_at is not None:
        items.append((text("label.left_at", lang), moment_day(subject.left_at, lang)))
    if subject.collected_elsewhere:
        told = text("label.not_informed_yet", lang)
        if subject.informed_at is not None:
            told = moment_day(subject.informed_at, lang)
            if subject.informed_channel:
                channel = label_of("channel", subject.informed_channel, lang)
                told += f" ({channel})"
        items.append((text("label.informed", lang), told))
    items.append((text("label.subject_id", lang), subject.id))
    return Section("subject", text("heading.subject", lang), (Fields(tuple(items)),))


def _extension(request: RequestEntry, lang: str) -> list[tuple[str, str]]:
    """How the deadline was extended (Art. 12(3)): why, and when the person
    was told."""
    if not request.extended:
        return []
    items = [(text("label.extension_reason", lang), or_blank(request.extension_reason))]
    if request.extension_notified_on is not None:
        notified = day_text(request.extension_notified_on, lang)
        items.append((text("label.extension_notified_on", lang), notified))
    return items


def _request(report: AccessReport) -> Section:
    lang, request = report.language, report.request
    heading = text("heading.request", lang)
    if request is None:
        return Section("request", heading, (Para(text("none.request", lang)),))
    fee = "label.fee_free" if request.free_of_charge else "label.fee_charged"
    if request.excessive_reason is not None:
        fee = "label.fee_excessive"
    # The answer itself closes an open request: never "being processed".
    status = label_of("request_status", request.status, lang)
    if request.status == "open":
        status = text("request_status.this_answer", lang)
    items = [
        (text("label.request_id", lang), request.request_id),
        (text("label.request_type", lang), label_of("request", request.type, lang)),
        (text("label.received_via", lang), label_of("channel", request.channel, lang)),
        (text("label.received_on", lang), day_text(request.received_on, lang)),
        (text("label.due_on", lang), day_text(request.due_on, lang)),
        (text("label.extended", lang), yes_no(request.extended, lang)),
        *_extension(request, lang),
        (text("label.request_status", lang), status),
        (
            text("label.fee", lang),
            text(fee, lang).format(
                number=request.number_in_year,
                reason=request.excessive_reason or "",
            ),
        ),
    ]
    if request.refusal_reason is not None:
        items.append((text("label.refusal_reason", lang), request.refusal_reason))
    rule = Para(text("label.deadline_rule", lang))
    blocks: tuple[Block, ...] = (Fields(tuple(items)), rule)
    if request.status == "refused":
        # Art. 12(4): the reasons, and the remedies, with every refusal.
        blocks += (
            Para(
                text("label.refusal_remedies", lang).format(
                    authority=report.supervisory_authority,
                    url=report.supervisory_authority_url,
                )
            ),
        )
    return Section("request", heading, blocks)


def _purposes(report: AccessReport) -> Section:
    lang = report.language
    rows = tuple(
        (
            p.label,
            (p.legal_basis_label, p.interest) if p.interest else p.legal_basis_label,
        )
        for p in report.purposes
    )
    table = Table(cols(lang, "label.purpose", "label.legal_basis"), rows)
    blocks: tuple[Block, ...] = (table,) if rows else ()
    if report.breached_uses:
        breached = tuple(
            (
                moment_day(use.occurred_at, lang),
                use.purpose_label,
                tuple(dict.fromkeys(f.text for f in use.findings)),
            )
            for use in report.breached_uses
        )
        columns = cols(lang, "label.date:date", "label.purpose", "label.finding")
        blocks += (
            Sub(text("heading.breached_uses", lang)),
            Para(text("label.breached_uses_intro", lang)),
            Table(columns, breached),
        )
    return Section("a-purposes", text("heading.purposes", lang), blocks)


def _value(held: HeldValue, lang: str) -> str:
    return text("label.erased", lang) if held.value is None else held.value


def _recorded(held: HeldValue, lang: str) -> Cell:
    day = moment_day(held.occurred_at, lang)
    return (day, text("label.rectified", lang)) if held.rectified else day


def _replaced_on(held: Sequence[HeldValue]) -> dict[int, datetime]:
    """When each earlier value was replaced: by the next value of its category
    (values come oldest first)."""
    replaced: dict[int, datetime] = {}
    latest: dict[str, int] = {}
    for index, value in enumerate(held):
        if value.category in latest:
            replaced[latest[value.category]] = value.occurred_at
        latest[value.category] = index
    return replaced


def _categories(report: AccessReport) -> tuple[str, ...]:
    """Every category held, the company details (kept with the registration)
    included, in the order first recorded."""
    labels = dict.fromkeys(v.category_label for v in report.personal_data)
    labels.update(dict.fromkeys(r.category_label for r in report.retention))
    return tuple(labels)


def _current_data(report: AccessReport) -> Table:
    lang = report.language
    rows = tuple(
        (v.category_label, _value(v, lang), _recorded(v, lang), v.source_label)
        for v in report.personal_data
        if v.current
    )
    columns = cols(
        lang, "label.category", "label.value", "label.recorded:date", "label.source"
    )
    return Table(columns, rows)


def _earlier_data(report: AccessReport) -> tuple[Block, ...]:
    lang, held = report.language, report.personal_data
    replaced = _replaced_on(held)
    rows = tuple(
        (
            v.category_label,
            _value(v, lang),
            _recorded(v, lang),
            moment_day(replaced[i], lang) if i in replaced else BLANK,
            v.source_label,
        )
        for i, v in enumerate(held)
        if not v.current
    )
    if not rows:
        return ()
    columns = cols(
        lang,
        "label.category",
        "label.value",
        "label.recorded:date",
        "label.replaced:date",
        "label.source",
    )
    intro = Para(text("label.history_intro", lang))
    notice = told(report.told_of_rectification, "label.art19_rectification", lang)
    return (Sub(text("heading.history", lang)), intro, Table(columns, rows), *notice)


def _held_data(report: AccessReport) -> tuple[Block, ...]:
    lang = report.language
    if not report.personal_data:
        return (Para(text("none.personal_data", lang)),)
    return (
        Sub(text("heading.categories", lang)),
        Items(_categories(report)),
        Sub(text("heading.current", lang)),
        _current_data(report),
        *_earlier_data(report),
    )


def _switch_row(switch: Switch, on: str, off: str, lang: str) -> tuple[Cell, ...]:
    return (
        switch.label,
        text(on if switch.active else off, lang),
        moment_day(switch.since, lang),
        label_of("channel", switch.channel, lang) if switch.channel else BLANK,
        or_blank(switch.evidence),
    )


def _switch_table(first: str, rows: tuple[tuple[Cell, ...], ...], lang: str) -> Table:
    tail = ("label.state:code", "label.since:date", "label.channel", "label.evidence")
    return Table(cols(lang, first, *tail), rows)


def _timeline(switches: Sequence[Switch], on: str, off: str, lang: str) -> Table:
    """Every step of each consent or objection: when, how, with what evidence
    (Art. 15(3), C-487/21), not only the state in force."""
    rows = tuple(
        (
            s.label,
            text(on if change.active else off, lang),
            moment_day(change.occurred_at, lang),
            label_of("channel", change.channel, lang) if change.channel else BLANK,
            or_blank(change.evidence),
        )
        for s in switches
        for change in s.history
    )
    tail = ("label.event:code", "label.date:date", "label.channel", "label.evidence")
    return Table(cols(lang, "label.purpose", *tail), rows)


def _switches(report: AccessReport) -> tuple[Block, ...]:
    lang = report.language
    consents = tuple(
        _switch_row(s, "label.given", "label.withdrawn", lang) for s in report.consents
    )
    objections = tuple(
        _switch_row(s, "label.in_force", "label.lifted", lang)
        for s in report.objections
    )
    history: list[Block] = []
    if any(len(s.history) > 0 for s in (*report.consents, *report.objections)):
        history = [
            Sub(text("heading.switch_history", lang)),
            _timeline(
                (*report.consents, *report.objections),
                "label.given_or_made",
                "label.withdrawn_or_lifted",
                lang,
            ),
        ]
    consent_table = [_switch_table("label.purpose", consents, lang)] if consents else []
    objection_table = (
        [_switch_table("label.objection", objections, lang)] if objections else []
    )
    restricted = "label.restricted" if report.restricted else "label.not_restricted"
    return (
        Sub(text("heading.consents", lang)),
        *or_none(consent_table, "none.consents", lang),
        Sub(text("heading.objections", lang)),
        *or_none(objection_table, "none.objections", lang),
        *history,
        Sub(text("heading.restriction", lang)),
        Para(text(restricted, lang)),
        *told(report.told_of_restriction, "label.art19_restriction", lang),
    )


def _personal_data(report: AccessReport) -> Section:
    blocks = (*_held_data(report), *erasure_blocks(report), *_switches(report))
    return Section(
        "b-personal-data", text("heading.personal_data", report.language), blocks
    )


def _retention_note(entry: RetentionEntry, lang: str) -> Cell:
    """The date kept until where it is known, else the criteria (Art.
    15(1)(d)); where erasure does not reach the data, why (Art. 17(3))."""
    if entry.until is not None:
        period = text("label.kept_until_day", lang).format(
            day=day_text(entry.until, lang)
        )
    else:
        period = entry.criteria
    if not entry.kept_against_erasure:
        return period
    ground = or_blank(entry.legal_ground)
    kept = text("label.kept_against_erasure", lang).format(ground=ground)
    return (period, kept)


def _retention(report: AccessReport) -> Section:
    """One row per retention period, with every category it covers, in the
    order the categories are listed under (b)."""
    lang = report.language
    order = {label: i for i, label in enumerate(_categories(report))}
    groups: dict[str, list[RetentionEntry]] = {}
    for entry in sorted(report.retention, key=lambda e: order[e.category_label]):
        groups.setdefault(entry.retention, []).append(entry)
    rows = tuple(
        (
            entries[0].retention_label,
            tuple(e.category_label for e in entries),
            _retention_note(entries[0], lang),
        )
        for entries in groups.values()
    )
    columns = cols(lang, "label.retention", "label.categories:list", "label.criteria")
    blocks: tuple[Block, ...] = (Table(columns, rows),) if rows else ()
    if any(e.retention.startswith("accounting") for e in report.retention):
        # The Accounting Act's two clocks, explained once.
        blocks += (Para(text("label.accounting_clocks", lang)),)
    return Section("d-retention", text("heading.retention", lang), blocks)


def _rights(report: AccessReport) -> Section:
    heading = text("heading.rights", report.language)
    return Section("ef-rights", heading, (Items(tuple(report.rights), titled=True),))


def _source_row(
    source: SourceEntry, labels: dict[str, str], lang: str
) -> tuple[Cell, ...]:
    by = source.provided_by or ("subject" if source.from_subject else "other")
    provided_by = {
        "subject": "label.by_you",
        "controller": "label.by_us",
    }.get(by, "label.by_other")
    return (
        source.label,
        text(provided_by, lang),
        tuple(labels.get(c, c) for c in source.categories),
    )


def _sources(report: AccessReport) -> Section:
    lang = report.language
    labels = {v.category: v.category_label for v in report.personal_data}
    labels.update({r.category: r.category_label for r in report.retention})
    rows = tuple(_source_row(s, labels, lang) for s in report.sources)
    columns = cols(lang, "label.source", "label.provided_by", "label.categories:list")
    blocks = (Para(text("label.sources_intro", lang)), Table(columns, rows))
    found = or_none(blocks if rows else (), "none.sources", lang)
    return Section("g-sources", text("heading.sources", lang), found)


def _automated(report: AccessReport) -> Section:
    heading = text("heading.automated", report.language)
    return Section("h-automated", heading, (Para(report.automated_decision_making),))


def _models_checked(proof: IntegrityEntry, lang: Language) -> list[tuple[str, str]]:
    """When `verify --read-models` last found the tables read here equal
    to a rebuild from the log (a row only once that has happened)."""
    if proof.models_checked_size is None or proof.models_checked_at is None:
        return []
    value = text("label.models_checked_value", lang).format(
        size=proof.models_checked_size,
        moment=moment_text(proof.models_checked_at, lang),
    )
    return [(text("label.models_checked", lang), value)]


def _integrity(report: AccessReport) -> Section:
    lang, proof = report.language, report.integrity
    heading = text("heading.integrity", lang)
    if proof is None:
        return Section("integrity", heading, (Para(text("none.integrity", lang)),))
    fields = Fields(
        (
            (text("label.ledger", lang), proof.origin),
            (text("label.checkpoint", lang), str(proof.tree_size)),
            (text("label.root", lang), proof.root),
            (text("label.issued", lang), moment_text(proof.issued_at, lang)),
            (text("label.public_key", lang), proof.public_key),
            *_models_checked(proof, lang),
        )
    )
    intro = text("label.integrity_intro", lang).format(events=proof.subject_events)
    details = Sub(text("heading.integrity_details", lang))
    return Section("integrity", heading, (Para(intro), details, fields))


def _sign_off(report: AccessReport) -> Section:
    lang = report.language
    lines = ("label.sign_date", "label.sign_name", "label.signature")
    intro = text("label.sign_off_intro", lang).format(controller=report.controller.name)
    blocks: tuple[Block, ...] = (Para(intro),)
    if report.controller.signer:
        signer = Fields(((text("label.signer", lang), report.controller.signer),))
        blocks += (signer,)
    blocks += (SignOff(tuple(text(line, lang) for line in lines)),)
    return Section("sign-off", text("heading.sign_off", lang), blocks)


_SECTIONS = (
    _controller,
    _subject,
    _request,
    _purposes,
    _personal_data,
    recipients_section,
    _retention,
    _rights,
    _sources,
    _automated,
    transfers_section,
    consultations_section,  # C-579/21
    _sign_off,
    _integrity,  # an appendix, after the signature
)


def outline(report: AccessReport) -> Outline:
    """The report as a document: what both Markdown and HTML print."""
    lang = report.language
    request = report.request
    # Titled after the request it answers (an erasure, a refusal...).
    kind = request.type if request is not None else "access"
    title = text("heading.title" if kind == "access" else f"heading.title.{kind}", lang)
    intro = text("label.intro", lang)
    if kind != "access":
        intro = text("label.intro_other", lang).format(
            request=label_of("request", kind, lang)
        )
    return Outline(
        language=lang,
        title=title,
        intro=intro,
        sections=tuple(build(report) for build in _SECTIONS),
        footer=text("label.footer", lang).format(
            moment=moment_text(report.generated_at, lang)
        ),
        running=f"{title} · {request.request_id}" if request else title,
        page=text("label.page", lang),
        head=_head(report),
    )
