"""The fixed wording of reports, in English and Finnish.

Every sentence and heading a report prints comes from here, so that a
translation is reviewed in one place. Values that vary per policy (the
controller's contact, the supervisory authority) are filled in by
``rights_texts``; names of categories, purposes and sources come from the
policy's own labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.reports import ropa_texts

if TYPE_CHECKING:
    from ledger.policy import Policy

__all__ = ["LANGUAGES", "keys", "rights_texts", "text"]

LANGUAGES = ("en", "fi")

_EN: dict[str, str] = {
    # Art. 6(1) legal bases.
    "basis.consent": "Consent (GDPR Art. 6(1)(a))",
    "basis.contract": "Performance of a contract (GDPR Art. 6(1)(b))",
    "basis.legal_obligation": "Compliance with a legal obligation (GDPR Art. 6(1)(c))",
    "basis.legitimate_interest": "Legitimate interests of the controller"
    " (GDPR Art. 6(1)(f))",
    # Objections (Art. 21) and the notice's "no more sales contact".
    "objection.direct_marketing": "Objection to direct marketing (GDPR Art. 21(2))",
    "objection.sales_contact": "Request not to be contacted for sales",
    "objection.legitimate_interest": "Objection to processing based on legitimate"
    " interests (GDPR Art. 21(1))",
    # Transfers outside the EU/EEA.
    "safeguard.scc": "Standard contractual clauses adopted by the European"
    " Commission (GDPR Art. 46(2)(c))",
    "safeguard.adequacy": "Adequacy decision of the European Commission (GDPR Art. 45)",
    "safeguard.bcr": "Binding corporate rules (GDPR Art. 47)",
    "safeguard.art49_contract": "Derogation: the transfer is necessary for the"
    " performance of a contract (GDPR Art. 49(1)(b))",
    # Findings: a recorded processing that breached our policy, told as such
    # instead of a legal basis that did not exist.
    "finding.consent_withdrawn": "Made after you withdrew your consent;"
    " recorded as a breach of our policy.",
    "finding.consent_required": "Made without your consent; recorded as a"
    " breach of our policy.",
    "finding.direct_marketing_objection": "Made after you objected to direct"
    " marketing; recorded as a breach of our policy.",
    "finding.sales_contact_objection": "Made after you asked us not to contact"
    " you for sales; recorded as a breach of our policy.",
    "finding.legitimate_interest_objection": "Made after you objected to"
    " processing based on our legitimate interests; recorded as a breach of"
    " our policy.",
    "finding.restricted": "Made while processing of your data was restricted;"
    " recorded as a breach of our policy.",
    "finding.erased": "Made after your data was erased; recorded as a breach"
    " of our policy.",
    "finding.left_company": "Made after you had left the company you"
    " represented; recorded as a breach of our policy.",
    "finding.legal_basis_mismatch": "Made on a legal basis our policy does not"
    " give this purpose; recorded as a breach of our policy.",
    "finding.no_safeguard": "Transferred outside the EU/EEA with no safeguard;"
    " recorded as a breach of our policy.",
    "finding.purpose_categories": "More data was used than this purpose needs;"
    " recorded as a breach of our policy.",
    "finding.recipient_categories": "The recipient received data it should not"
    " receive; recorded as a breach of our policy.",
    "finding.recipient_purpose": "The recipient received the data for a purpose"
    " it should not receive it for; recorded as a breach of our policy.",
    "finding.recipient_country": "The data went to another country than agreed"
    " with the recipient; recorded as a breach of our policy.",
    "finding.safeguard_mismatch": "The transfer used another safeguard than"
    " agreed with the recipient; recorded as a breach of our policy.",
    "finding.breach_assessment": "We are assessing whether this is a personal"
    " data breach to be notified to the supervisory authority (GDPR Art. 33).",
    "finding.not_informed": "Made before we had told you, as the law requires"
    " when your data comes from another source, that we process it (GDPR"
    " Art. 14); recorded as a breach of our policy.",
    "finding.other": "Recorded as a breach of our policy.",
    "heading.breached_uses": "Uses of your data that breached our policy",
    "label.breached_uses_intro": "We used your data in the following cases"
    " without a valid ground; each is recorded as a breach of our policy.",
    "label.finding": "What happened",
    "label.informed": "Told of the processing (GDPR Art. 14)",
    "label.not_informed_yet": "Not yet recorded",
    "safeguard.none": "No safeguard — recorded as a breach of our policy",
    "safeguard.art49_third_party_contract": "Derogation: the transfer is"
    " necessary for a contract concluded in your interest between us and the"
    " company you represent (GDPR Art. 49(1)(c))",
    "automated_decision_making": "We make no decisions about you based solely on"
    " automated processing, including profiling, which produce legal effects"
    " concerning you or similarly significantly affect you (GDPR Art. 22)."
    " There is therefore no such processing to describe under"
    " Art. 15(1)(h).",
    # The person's standing with the controller.
    "status.prospect": "Prospective customer",
    "status.customer": "Customer",
    "status.former_customer": "Former customer",
    "status.left": "Has left the company they represented",
    # Requests and their handling.
    "request.access": "Access request (GDPR Art. 15)",
    "request.portability": "Data portability request (GDPR Art. 20)",
    "request.erasure": "Erasure request (GDPR Art. 17)",
    "request.rectification": "Rectification request (GDPR Art. 16)",
    "request.restriction": "Request to restrict processing (GDPR Art. 18)",
    "request.objection": "Objection to processing (GDPR Art. 21)",
    "request_status.open": "Being processed",
    "request_status.answered": "Answered",
    "request_status.refused": "Refused",
    "channel.post": "Post",
    "channel.in_person": "In person",
    "channel.customer_service": "Customer service",
    "channel.email": "Email",
    "channel.phone": "Telephone",
    "channel.web_form": "Web form",
    "channel.unsubscribe_link": "Unsubscribe link",
    "role.processor": "Processor (processes the data on our behalf)",
    "role.controller": "Controller (responsible for its own processing)",
    # Headings, in the order of the report.
    "heading.title": "Access request response (GDPR Art. 15)",
    "heading.controller": "Controller",
    "heading.subject": "Data subject",
    "heading.request": "Request",
    "heading.purposes": "Purposes of the processing and their legal bases"
    " (Art. 15(1)(a))",
    "heading.personal_data": "Categories of personal data and the personal data"
    " we hold (Art. 15(1)(b))",
    "heading.categories": "Categories of personal data",
    "heading.current": "Current data",
    "heading.history": "Earlier data",
    "heading.consents": "Consents",
    "heading.objections": "Objections and prohibitions",
    "heading.restriction": "Restriction of processing",
    "heading.recipients": "Recipients of the personal data (Art. 15(1)(c))",
    "heading.retention": "Retention periods and their criteria (Art. 15(1)(d))",
    "heading.rights": "Your rights (Art. 15(1)(e) and (f))",
    "heading.sources": "Sources of the personal data (Art. 15(1)(g))",
    "heading.automated": "Automated decision-making (Art. 15(1)(h))",
    "heading.transfers": "Transfers outside the EU/EEA and their safeguards"
    " (Art. 15(2))",
    "heading.switch_history": "The full record of your consents and objections",
    "label.event": "Event",
    "label.given_or_made": "Given or made",
    "label.withdrawn_or_lifted": "Withdrawn or lifted",
    "label.standing_processor": "Processes the personal data of every customer"
    " contact on our behalf, yours included, for as long as we hold it; no"
    " single event names it.",
    "heading.possible_recipients": "Recipients to whom your data may be disclosed",
    "label.possible_recipients_intro": "Your personal data has not been"
    " disclosed to the following, but may be where the case arises, as our"
    " privacy notice describes:",
    "label.standing_transfers_intro": "The following processors outside the"
    " EU/EEA process the personal data of every customer contact, yours"
    " included, on our behalf:",
    "label.kept_until_day": "Kept until {day}.",
    "label.accounting_clocks": "Accounting records follow the Finnish"
    " Accounting Act (chapter 2, section 10): invoices and other vouchers are"
    " kept for six years from the end of the calendar year in which the"
    " financial period ended; the books and financial statements for ten years"
    " from the end of the financial period.",
    "ground.legal_hold": "A complaint, dispute or legal claim is open (GDPR"
    " Art. 17(3)(e)); kept until it is resolved",
    "label.documents_carry_name": "Invoices and other accounting documents we"
    " must keep until {day} may still carry your name and your company as"
    " they were written on the document; they are used only for accounting"
    " and are destroyed when that period ends.",
    "label.objection_kept": "Your objection is kept ({objections}), but only"
    " as a keyed hash of your contact details that cannot be read back, so"
    " that we do not market to you again if your details reach us anew, for"
    " example from a trade fair's attendee list. You can ask us to remove it"
    " too: {contact}.",
    "label.metadata_kept": "Our processing log keeps, without any of your"
    " personal data in readable form, the dates, purposes, legal bases,"
    " recipients and references of what was done, for as long as the log is"
    " kept, to show that your data was processed lawfully (GDPR Art. 5(2)).",
    "label.art19_erasure": "We tell every recipient of your data of the"
    " erasure (GDPR Art. 19): {recipients}.",
    "label.art19_rectification": "We tell of the rectification each recipient"
    " who received the data before it (GDPR Art. 19): {recipients}.",
    "label.art19_restriction": "We tell of the restriction each recipient"
    " who received your data before it (GDPR Art. 19): {recipients}.",
    "request_status.this_answer": "Answered by this letter",
    "label.refusal_reason": "Why we did not act on your request",
    "label.refusal_remedies": "If you disagree, you have the right to lodge a"
    " complaint with the supervisory authority ({authority}, {url}; GDPR"
    " Art. 77) and to seek a judicial remedy in a court (GDPR Art. 79).",
    "heading.title.erasure": "Answer to your erasure request (GDPR Art. 17)",
    "heading.title.rectification": "Answer to your rectification request"
    " (GDPR Art. 16)",
    "heading.title.restriction": "Answer to your request to restrict processing"
    " (GDPR Art. 18)",
    "heading.title.objection": "Answer to your objection (GDPR Art. 21)",
    "heading.title.portability": "Answer to your data portability request"
    " (GDPR Art. 20)",
    "label.intro_other": "This document answers your request: {request}. It"
    " also sets out the personal data we process about you and the"
    " information Article 15 of the General Data Protection Regulation (EU)"
    " 2016/679 (GDPR) requires.",
    "label.privacy_email": "Email for data protection matters",
    "label.notice_version": "This answer reflects our privacy notice last"
    " updated on {day}. Where it states terms that notice does not (the"
    " retention period after the customer relationship, the named recipients"
    " and processors), they are our current practice.",
    "label.addressee_of": "The person who made request {request}",
    "label.from": "From",
    "label.to": "To",
    "label.letter_date": "Date",
    "label.regarding": "Regarding",
    "label.regarding_value": "{request}, {id}, received on {day}",
    "label.signer": "Signed by",
    "heading.erasure": "Erasure of your data (Art. 17)",
    "label.erasure_done": "On {day} your personal data were erased: the keys"
    " that made them readable were destroyed, so that nobody can read them any"
    " more. Erased: {categories}.",
    "label.retention_done": "On {day} the retention period of some of your"
    " data ended and it was erased in the same way. Erased: {categories}.",
    "label.erasure_request": "This answered your request {request}.",
    "label.kept_intro": "The following data were not erased, because the law"
    " requires us to keep them or they are needed for legal claims (Art. 17(3));"
    " they are erased when the ground ends:",
    "label.ground": "Ground",
    "label.kept_until": "Kept until",
    "label.kept_while": "while the ground lasts",
    "heading.integrity": "Appendix: how you can check that these records were"
    " not altered",
    "label.integrity_intro": "This answer rests on {events} records about you"
    " in our processing log. Every record is sealed into the log as it is"
    " written, and the whole log is signed at regular intervals, so that no"
    " record can later be changed, removed or added unnoticed. On request we"
    " give you, or the supervisory authority, a proof that your records were"
    " not altered afterwards; anyone can check it without access to our"
    " systems. The technical details of the signed state of the log follow"
    " for such a check.",
    "heading.integrity_details": "Technical details (for checking the proof)",
    "label.ledger": "Ledger",
    "label.checkpoint": "Checkpoint (events covered)",
    "label.root": "Root hash (SHA-256)",
    "label.issued": "Signed",
    "label.public_key": "Verification key",
    "label.models_checked": "Tables of this answer last checked against the ledger",
    "label.models_checked_value": "at checkpoint {size} (events covered), {moment}",
    "none.integrity": "No signed checkpoint was available when this document was made.",
    "heading.sign_off": "Approval and signature",
    # Sentences.
    "label.intro": "This document answers your request for access to your"
    " personal data under Article 15 of the General Data Protection"
    " Regulation (EU) 2016/679 (GDPR). It sets out the personal data we"
    " process about you and the information Article 15 requires.",
    "label.deadline_rule": "A request is answered within one month of its"
    " receipt. Where necessary the period may be extended by two further"
    " months, in which case you are told of the extension and its reasons"
    " within one month of receipt (GDPR Art. 12(3)).",
    "label.recipients_intro": "Every recipient to whom your personal data has"
    " been disclosed, or who has processed it on our behalf, is named below"
    " together with each disclosure (CJEU judgment C-154/21).",
    "label.sources_intro": "The sources from which each category of your"
    " personal data was obtained:",
    "label.transfers_intro": "Your personal data has been transferred to the"
    " following countries outside the EU/EEA. The ground of each transfer"
    " and the safeguard applied are shown.",
    "label.transfers_copy": "You may ask us for a copy of the safeguards"
    " applied to a transfer.",
    "label.restricted": "Processing of your personal data is currently restricted"
    " (GDPR Art. 18).",
    "label.not_restricted": "Processing of your personal data is not restricted.",
    "label.sign_off_intro": "This answer was reviewed and approved on behalf of"
    " the controller, {controller}:",
    "label.history_intro": "Earlier values that have since been replaced by the"
    " current data above:",
    "label.kept_against_erasure": "Kept even if you ask for erasure. Ground: {ground}",
    "label.page": "Page",
    "label.footer": "Generated by Kirjuri on {moment}.",
    "label.time_zone": "Finnish time",
    "label.fee_free": "Free of charge (request no. {number} in this calendar year)",
    "label.fee_excessive": "We decided that this request is manifestly"
    " unfounded or excessive, for this reason: {reason}. We may therefore"
    " charge a reasonable fee based on our administrative costs, told to you"
    " in advance (GDPR Art. 12(5)).",
    "label.fee_charged": "Request no. {number} in this calendar year: for a"
    " further copy we may charge a reasonable fee based on our administrative"
    " costs (GDPR Art. 15(3)). We tell you the amount before we make the copy,"
    " and a copy given again because an earlier answer was incomplete is"
    " free.",
    "none.request": "No request is linked to this document.",
    "none.personal_data": "No personal data about you is recorded.",
    "none.consents": "You have not given any consent.",
    "none.objections": "You have not objected to processing or asked us to stop"
    " contacting you.",
    "none.recipients": "Your personal data has not been disclosed to any recipient.",
    "none.transfers": "Your personal data has not been transferred outside the EU/EEA.",
    "none.sources": "No sources are recorded.",
    # Labels of fields and table columns.
    "label.name": "Name",
    "label.address": "Address",
    "label.contact": "Contact for data protection matters",
    "label.subject_id": "Data subject ID",
    "label.company": "Company",
    "label.business_id": "Business ID",
    "label.status": "Relationship with us",
    "label.registered_at": "First recorded",
    "label.left_at": "Left the company",
    "label.request_id": "Request ID",
    "label.request_type": "Type of request",
    "label.received_via": "Received through",
    "label.received_on": "Received",
    "label.due_on": "Due date",
    "label.extended": "Deadline extended",
    "label.extension_reason": "Reason for the extension",
    "label.extension_notified_on": "You were told of the extension on",
    "label.request_status": "Handling",
    "label.fee": "Fee",
    "label.yes": "Yes",
    "label.no": "No",
    "label.purpose": "Purpose",
    "label.legal_basis": "Legal basis",
    "label.category": "Category",
    "label.categories": "Categories of data",
    "label.value": "Data",
    "label.source": "Source",
    "label.recorded": "Recorded",
    "label.replaced": "Replaced",
    "label.rectified": "(rectification)",
    "label.provided_by": "Provided by",
    "label.by_you": "You yourself",
    "label.by_other": "Another party",
    "label.by_us": "We ourselves (made or derived by us)",
    "label.erased": "(erased)",
    "label.state": "State",
    "label.since": "Since",
    "label.channel": "Channel",
    "label.evidence": "Evidence",
    "label.given": "Given",
    "label.withdrawn": "Withdrawn",
    "label.objection": "Objection",
    "label.in_force": "In force",
    "label.lifted": "Lifted",
    "label.recipient": "Recipient",
    "label.recipient_type": "Type of recipient",
    "label.role": "Role",
    "label.country": "Country",
    "label.date": "Date",
    "label.reference": "Reference",
    "label.retention": "Kept as part of",
    "label.criteria": "Retention period and its criteria",
    "label.safeguard": "Ground and safeguard",
    "label.sign_date": "Place and date",
    "label.sign_name": "Name and title",
    "label.signature": "Signature",
    # The rights (Art. 15(1)(e)-(f) and the notice, section 7), filled in by
    # rights_texts.
    "rights.access": "Right of access (GDPR Art. 15): you have the right to know"
    " what personal data we process about you and to receive a copy of it."
    " The first copy is free of charge (Art. 15(3)). You may make an access"
    " request free of charge {times} per calendar year; for a further copy"
    " requested within the same calendar year we may charge a reasonable fee"
    " based on our administrative costs, told to you in advance. A copy given"
    " again because an earlier answer was incomplete is always free.",
    "rights.rectification": "Right to rectification (GDPR Art. 16): you have the"
    " right to have inaccurate personal data about you corrected without"
    " undue delay and incomplete data completed.",
    "rights.erasure": "Right to erasure (GDPR Art. 17): you have the right to have"
    " your personal data erased, for example when it is no longer needed for"
    " the purposes for which it was collected, when you withdraw the consent"
    " on which the processing is based, or when you object to the processing."
    " Data that the law requires us to keep, such as accounting records"
    " (invoices and other vouchers), or that is needed to establish, exercise"
    " or defend legal claims, is kept for as long as that obligation or need"
    " lasts (Art. 17(3)(b) and (e)); we tell you what was kept and why.",
    "rights.restriction": "Right to restriction of processing (GDPR Art. 18): you"
    " have the right to have the processing of your personal data restricted,"
    " for example while the accuracy of the data or an objection you have"
    " made is being verified, or when we no longer need the data but you need"
    " it to establish, exercise or defend legal claims.",
    "rights.objection": "Right to object (GDPR Art. 21): you may object at any"
    " time to the processing of your personal data for direct marketing, after"
    " which it is no longer processed for that purpose (Art. 21(2) and (3))."
    " You may also object, on grounds relating to your particular situation,"
    " to processing based on our legitimate interests (Art. 21(1)); we then"
    " stop unless we demonstrate compelling legitimate grounds which override"
    " your interests, rights and freedoms, or the processing is needed to"
    " establish, exercise or defend legal claims. You may also ask us not to"
    " contact you for sales.",
    "rights.consent": "Right to withdraw consent (GDPR Art. 7(3)): where"
    " processing is based on your consent, you may withdraw it at any time,"
    " for example through the unsubscribe link at the end of each marketing"
    " email. Withdrawal does not affect the lawfulness of processing based on"
    " consent before its withdrawal.",
    "rights.portability": "Right to data portability (GDPR Art. 20): where the"
    " processing is based on your consent or on a contract and is carried out"
    " by automated means, you have the right to receive the personal data you"
    " have provided to us in a structured, commonly used and machine-readable"
    " format and to transmit it to another controller.",
    "rights.portability_free": "A portability request is free of charge, as"
    " is every other request, unless it is manifestly unfounded or excessive,"
    " which we would have to show with reasons (GDPR Art. 12(5)).",
    "rights.complaint": "Right to lodge a complaint with a supervisory authority"
    " (GDPR Art. 77): if you consider that the processing of your personal"
    " data infringes the GDPR, you have the right to lodge a complaint with"
    " the supervisory authority ({authority}, {url}).",
    "rights.exercise": "How to exercise your rights: {contact}. We answer without"
    " undue delay and at the latest within one month of receiving the"
    " request.",
    "rights.extension": "Where necessary, taking into account the complexity and"
    " number of requests, this period may be extended by {months}; we then"
    " tell you of the extension and the reasons for the delay within one"
    " month of receiving the request (GDPR Art. 12(3)).",
    "times.1": "once",
    "times.n": "{n} times",
    "months.1": "one further month",
    "months.2": "two further months",
}

_FI: dict[str, str] = {
    "basis.consent": "Suostumus (tietosuoja-asetuksen 6 artiklan 1 kohdan a alakohta)",
    "basis.contract": "Sopimuksen täytäntöönpano (tietosuoja-asetuksen 6 artiklan"
    " 1 kohdan b alakohta)",
    "basis.legal_obligation": "Rekisterinpitäjän lakisääteisen velvoitteen"
    " noudattaminen (tietosuoja-asetuksen 6 artiklan 1 kohdan c alakohta)",
    "basis.legitimate_interest": "Rekisterinpitäjän oikeutettu etu"
    " (tietosuoja-asetuksen 6 artiklan 1 kohdan f alakohta)",
    "objection.direct_marketing": "Suoramarkkinointikielto (tietosuoja-asetuksen"
    " 21 artiklan 2 kohta)",
    "objection.sales_contact": "Kielto ottaa yhteyttä myynnin merkeissä",
    "objection.legitimate_interest": "Oikeutettuun etuun perustuvan käsittelyn"
    " vastustaminen (tietosuoja-asetuksen 21 artiklan 1 kohta)",
    "safeguard.scc": "Euroopan komission hyväksymät vakiosopimuslausekkeet"
    " (tietosuoja-asetuksen 46 artiklan 2 kohdan c alakohta)",
    "safeguard.adequacy": "Euroopan komission päätös tietosuojan riittävyydestä"
    " (tietosuoja-asetuksen 45 artikla)",
    "safeguard.bcr": "Yritystä koskevat sitovat säännöt (tietosuoja-asetuksen"
    " 47 artikla)",
    "safeguard.art49_contract": "Poikkeus: siirto on tarpeen sopimuksen"
    " täytäntöönpanoa varten (tietosuoja-asetuksen 49 artiklan 1 kohdan"
    " b alakohta)",
    "finding.consent_withdrawn": "Tehty sen jälkeen, kun olit peruuttanut"
    " suostumuksesi; kirjattu toimintaperiaatteidemme rikkomiseksi.",
    "finding.consent_required": "Tehty ilman suostumustasi; kirjattu"
    " toimintaperiaatteidemme rikkomiseksi.",
    "finding.direct_marketing_objection": "Tehty sen jälkeen, kun olit"
    " kieltänyt suoramarkkinoinnin; kirjattu toimintaperiaatteidemme"
    " rikkomiseksi.",
    "finding.sales_contact_objection": "Tehty sen jälkeen, kun olit pyytänyt,"
    " ettei sinuun oteta yhteyttä myynnin merkeissä; kirjattu"
    " toimintaperiaatteidemme rikkomiseksi.",
    "finding.legitimate_interest_objection": "Tehty sen jälkeen, kun olit"
    " vastustanut oikeutettuun etuumme perustuvaa käsittelyä; kirjattu"
    " toimintaperiaatteidemme rikkomiseksi.",
    "finding.restricted": "Tehty, kun tietojesi käsittelyä oli rajoitettu;"
    " kirjattu toimintaperiaatteidemme rikkomiseksi.",
    "finding.erased": "Tehty tietojesi poistamisen jälkeen; kirjattu"
    " toimintaperiaatteidemme rikkomiseksi.",
    "finding.left_company": "Tehty sen jälkeen, kun olit lopettanut"
    " edustamassasi yrityksessä; kirjattu toimintaperiaatteidemme"
    " rikkomiseksi.",
    "finding.legal_basis_mismatch": "Tehty oikeusperusteella, jota"
    " toimintaperiaatteemme eivät tälle käyttötarkoitukselle anna; kirjattu"
    " toimintaperiaatteidemme rikkomiseksi.",
    "finding.no_safeguard": "Siirretty EU:n ja ETA:n ulkopuolelle ilman"
    " suojatoimia; kirjattu toimintaperiaatteidemme rikkomiseksi.",
    "finding.purpose_categories": "Tietoja käytettiin enemmän kuin"
    " käyttötarkoitus edellyttää; kirjattu toimintaperiaatteidemme"
    " rikkomiseksi.",
    "finding.recipient_categories": "Vastaanottaja sai tietoja, joita sen ei"
    " kuulu saada; kirjattu toimintaperiaatteidemme rikkomiseksi.",
    "finding.recipient_purpose": "Vastaanottaja sai tiedot käyttötarkoitukseen,"
    " johon sen ei kuulu niitä saada; kirjattu toimintaperiaatteidemme"
    " rikkomiseksi.",
    "finding.recipient_country": "Tiedot menivät muuhun maahan kuin"
    " vastaanottajan kanssa on sovittu; kirjattu toimintaperiaatteidemme"
    " rikkomiseksi.",
    "finding.safeguard_mismatch": "Siirrossa käytettiin muuta suojatoimea kuin"
    " vastaanottajan kanssa on sovittu; kirjattu toimintaperiaatteidemme"
    " rikkomiseksi.",
    "finding.breach_assessment": "Arvioimme, onko kyseessä"
    " henkilötietojen tietoturvaloukkaus, josta on ilmoitettava"
    " valvontaviranomaiselle (tietosuoja-asetuksen 33 artikla).",
    "finding.not_informed": "Tehty ennen kuin olimme kertoneet sinulle"
    " tietojesi käsittelystä, kuten laki edellyttää, kun tiedot on saatu"
    " muualta (tietosuoja-asetuksen 14 artikla); kirjattu"
    " toimintaperiaatteidemme rikkomiseksi.",
    "finding.other": "Kirjattu toimintaperiaatteidemme rikkomiseksi.",
    "heading.breached_uses": "Tietojesi käyttö toimintaperiaatteidemme vastaisesti",
    "label.breached_uses_intro": "Käytimme tietojasi seuraavissa tapauksissa"
    " ilman pätevää perustetta; kukin on kirjattu toimintaperiaatteidemme"
    " rikkomiseksi.",
    "label.finding": "Mitä tapahtui",
    "label.informed": "Käsittelystä kerrottu sinulle (tietosuoja-asetuksen 14 artikla)",
    "label.not_informed_yet": "Ei vielä kirjattu",
    "safeguard.none": "Ei suojatoimia — kirjattu toimintaperiaatteidemme rikkomiseksi",
    "safeguard.art49_third_party_contract": "Poikkeus: siirto on tarpeen"
    " sinun etusi mukaisen, meidän ja edustamasi yrityksen välisen sopimuksen"
    " täytäntöönpanoa varten (tietosuoja-asetuksen 49 artiklan 1 kohdan"
    " c alakohta)",
    "automated_decision_making": "Emme tee sinua koskevia pelkästään"
    " automaattiseen käsittelyyn, kuten profilointiin, perustuvia päätöksiä,"
    " joilla on sinua koskevia oikeusvaikutuksia tai jotka vaikuttavat sinuun"
    " vastaavalla tavalla merkittävästi (tietosuoja-asetuksen 22 artikla)."
    " Tietosuoja-asetuksen 15 artiklan 1 kohdan h alakohdassa tarkoitettua"
    " käsittelyä ei siten ole.",
    "status.prospect": "Potentiaalinen asiakas",
    "status.customer": "Asiakas",
    "status.former_customer": "Entinen asiakas",
    "status.left": "Lopettanut edustamassaan yrityksessä",
    "request.access": "Tarkastuspyyntö (tietosuoja-asetuksen 15 artikla)",
    "request.portability": "Tietojen siirtämistä koskeva pyyntö"
    " (tietosuoja-asetuksen 20 artikla)",
    "request.erasure": "Tietojen poistamista koskeva pyyntö (tietosuoja-asetuksen"
    " 17 artikla)",
    "request.rectification": "Tietojen oikaisemista koskeva pyyntö"
    " (tietosuoja-asetuksen 16 artikla)",
    "request.restriction": "Käsittelyn rajoittamista koskeva pyyntö"
    " (tietosuoja-asetuksen 18 artikla)",
    "request.objection": "Käsittelyn vastustaminen (tietosuoja-asetuksen 21 artikla)",
    "request_status.open": "Käsittelyssä",
    "request_status.answered": "Vastattu",
    "request_status.refused": "Hylätty",
    "channel.post": "Posti",
    "channel.in_person": "Henkilökohtaisesti",
    "channel.customer_service": "Asiakaspalvelu",
    "channel.email": "Sähköposti",
    "channel.phone": "Puhelin",
    "channel.web_form": "Verkkolomake",
    "channel.unsubscribe_link": "Peruutuslinkki",
    "role.processor": "Henkilötietojen käsittelijä (käsittelee tietoja lukuumme)",
    "role.controller": "Rekisterinpitäjä (vastaa itse omasta käsittelystään)",
    "heading.title": "Vastaus tarkastuspyyntöön (tietosuoja-asetuksen 15 artikla)",
    "heading.controller": "Rekisterinpitäjä",
    "heading.subject": "Rekisteröity",
    "heading.request": "Pyyntö",
    "heading.purposes": "Käsittelyn tarkoitukset ja oikeusperusteet (15 artiklan"
    " 1 kohdan a alakohta)",
    "heading.personal_data": "Henkilötietoryhmät ja sinua koskevat henkilötiedot"
    " (15 artiklan 1 kohdan b alakohta)",
    "heading.categories": "Henkilötietoryhmät",
    "heading.current": "Voimassa olevat tiedot",
    "heading.history": "Aiemmat tiedot",
    "heading.consents": "Suostumukset",
    "heading.objections": "Vastustamiset ja kiellot",
    "heading.restriction": "Käsittelyn rajoittaminen",
    "heading.recipients": "Henkilötietojen vastaanottajat (15 artiklan 1 kohdan"
    " c alakohta)",
    "heading.retention": "Säilytysajat ja niiden määrittämisperusteet (15 artiklan"
    " 1 kohdan d alakohta)",
    "heading.rights": "Oikeutesi (15 artiklan 1 kohdan e ja f alakohta)",
    "heading.sources": "Henkilötietojen lähteet (15 artiklan 1 kohdan g alakohta)",
    "heading.automated": "Automaattinen päätöksenteko (15 artiklan 1 kohdan"
    " h alakohta)",
    "heading.transfers": "Siirrot EU:n ja ETA:n ulkopuolelle ja niissä"
    " sovellettavat suojatoimet (15 artiklan 2 kohta)",
    "heading.switch_history": "Suostumustesi ja kieltojesi koko historia",
    "label.event": "Tapahtuma",
    "label.given_or_made": "Annettu tai tehty",
    "label.withdrawn_or_lifted": "Peruutettu tai peruttu",
    "label.standing_processor": "Käsittelee lukuumme kaikkien"
    " asiakasyhteyshenkilöidemme, myös sinun, henkilötietoja niin kauan kuin"
    " säilytämme niitä; mikään yksittäinen tapahtuma ei nimeä sitä.",
    "heading.possible_recipients": "Vastaanottajat, joille tietojasi voidaan luovuttaa",
    "label.possible_recipients_intro": "Henkilötietojasi ei ole luovutettu"
    " seuraaville, mutta niitä voidaan luovuttaa niille tarvittaessa"
    " tietosuojaselosteemme mukaisesti:",
    "label.standing_transfers_intro": "Seuraavat EU:n ja ETA:n ulkopuoliset"
    " henkilötietojen käsittelijät käsittelevät lukuumme kaikkien"
    " asiakasyhteyshenkilöidemme, myös sinun, henkilötietoja:",
    "label.kept_until_day": "Säilytetään {day} asti.",
    "label.accounting_clocks": "Kirjanpitoaineiston säilytys perustuu"
    " kirjanpitolain 2 luvun 10 §:ään: laskut ja muut tositteet säilytetään"
    " kuusi vuotta sen vuoden lopusta, jonka aikana tilikausi päättyi;"
    " kirjanpito ja tilinpäätös kymmenen vuotta tilikauden päättymisestä.",
    "ground.legal_hold": "Reklamaatio, erimielisyys tai oikeudellinen vaade on"
    " vireillä (tietosuoja-asetuksen 17 artiklan 3 kohdan e alakohta);"
    " säilytetään, kunnes asia on ratkaistu",
    "label.documents_carry_name": "Laskuissa ja muussa kirjanpitoaineistossa,"
    " joka meidän on säilytettävä {day} asti, voi yhä olla nimesi ja"
    " yrityksesi sellaisina kuin ne asiakirjaan kirjoitettiin; aineistoa"
    " käytetään vain kirjanpitoon, ja se hävitetään säilytysajan päätyttyä.",
    "label.objection_kept": "Kieltosi säilytetään ({objections}), mutta vain"
    " yhteystiedoistasi lasketun avaimellisen tiivisteen muodossa, josta"
    " tietoja ei voi palauttaa, jotta emme markkinoi sinulle uudelleen, jos"
    " tietosi tulevat meille uudestaan esimerkiksi messujen"
    " osallistujaluettelosta. Voit pyytää poistamaan myös sen: {contact}.",
    "label.metadata_kept": "Käsittelylokiimme jäävät ilman luettavia"
    " henkilötietojasi käsittelyjen päivämäärät, käyttötarkoitukset,"
    " oikeusperusteet, vastaanottajat ja viitteet niin kauan kuin lokia"
    " säilytetään, jotta voimme osoittaa käsitelleemme tietojasi lainmukaisesti"
    " (tietosuoja-asetuksen 5 artiklan 2 kohta).",
    "label.art19_erasure": "Ilmoitamme poistosta kaikille tietojesi"
    " vastaanottajille (tietosuoja-asetuksen 19 artikla): {recipients}.",
    "label.art19_rectification": "Ilmoitamme oikaisusta jokaiselle"
    " vastaanottajalle, joka sai tiedon ennen sitä (tietosuoja-asetuksen"
    " 19 artikla): {recipients}.",
    "label.art19_restriction": "Ilmoitamme käsittelyn rajoittamisesta"
    " jokaiselle vastaanottajalle, joka sai tietojasi ennen sitä"
    " (tietosuoja-asetuksen 19 artikla): {recipients}.",
    "request_status.this_answer": "Vastattu tällä kirjeellä",
    "label.refusal_reason": "Syy, miksi emme toteuttaneet pyyntöäsi",
    "label.refusal_remedies": "Jos olet eri mieltä, sinulla on oikeus tehdä"
    " valitus valvontaviranomaiselle ({authority}, {url};"
    " tietosuoja-asetuksen 77 artikla) ja saattaa asia tuomioistuimen"
    " käsiteltäväksi (tietosuoja-asetuksen 79 artikla).",
    "heading.title.erasure": "Vastaus tietojen poistamista koskevaan pyyntöön"
    " (tietosuoja-asetuksen 17 artikla)",
    "heading.title.rectification": "Vastaus tietojen oikaisemista koskevaan"
    " pyyntöön (tietosuoja-asetuksen 16 artikla)",
    "heading.title.restriction": "Vastaus käsittelyn rajoittamista koskevaan"
    " pyyntöön (tietosuoja-asetuksen 18 artikla)",
    "heading.title.objection": "Vastaus vastustamisoikeuden käyttöön"
    " (tietosuoja-asetuksen 21 artikla)",
    "heading.title.portability": "Vastaus tietojen siirtämistä koskevaan"
    " pyyntöön (tietosuoja-asetuksen 20 artikla)",
    "label.intro_other": "Tämä asiakirja on vastaus pyyntöösi: {request}."
    " Siinä esitetään myös sinua koskevat käsittelemämme henkilötiedot sekä"
    " Euroopan unionin yleisen tietosuoja-asetuksen (EU) 2016/679"
    " 15 artiklassa edellytetyt tiedot niiden käsittelystä.",
    "label.privacy_email": "Sähköposti tietosuoja-asioissa",
    "label.notice_version": "Tämä vastaus vastaa tietosuojaselostettamme,"
    " joka on päivitetty viimeksi {day}. Kun vastauksessa esitetään ehtoja,"
    " joita seloste ei sisällä (säilytysaika asiakassuhteen päätyttyä,"
    " nimetyt vastaanottajat ja käsittelijät), ne ovat nykyinen"
    " käytäntömme.",
    "label.addressee_of": "Pyynnön {request} esittänyt henkilö",
    "label.from": "Lähettäjä",
    "label.to": "Vastaanottaja",
    "label.letter_date": "Päiväys",
    "label.regarding": "Asia",
    "label.regarding_value": "{request}, {id}, vastaanotettu {day}",
    "label.signer": "Allekirjoittaja",
    "heading.erasure": "Tietojesi poistaminen (17 artikla)",
    "label.erasure_done": "Henkilötietosi poistettiin {day}: avaimet, joilla"
    " tiedot voitiin lukea, hävitettiin, joten kukaan ei voi enää lukea niitä."
    " Poistetut tiedot: {categories}.",
    "label.retention_done": "Osan tiedoistasi säilytysaika päättyi {day}, ja"
    " ne poistettiin samalla tavalla. Poistetut tiedot: {categories}.",
    "label.erasure_request": "Poisto tehtiin pyyntösi {request} perusteella.",
    "label.kept_intro": "Seuraavia tietoja ei poistettu, koska laki velvoittaa"
    " meidät säilyttämään ne tai ne ovat tarpeen oikeudellisen vaatimuksen"
    " vuoksi (17 artiklan 3 kohta); ne poistetaan, kun peruste päättyy:",
    "label.ground": "Peruste",
    "label.kept_until": "Säilytetään",
    "label.kept_while": "niin kauan kuin peruste on voimassa",
    "heading.integrity": "Liite: miten voit tarkistaa, ettei tietoja ole muutettu",
    "heading.integrity_details": "Tekniset tiedot (todisteen tarkistamiseen)",
    "label.integrity_intro": "Tämä vastaus perustuu {events} sinua koskevaan"
    " merkintään käsittelylokissamme. Jokainen merkintä sinetöidään lokiin"
    " kirjattaessa, ja koko loki allekirjoitetaan säännöllisesti, joten"
    " merkintää ei voi jälkikäteen muuttaa, poistaa tai lisätä huomaamatta."
    " Pyynnöstä annamme sinulle tai valvontaviranomaiselle todisteen siitä,"
    " ettei tietojasi ole jälkikäteen muutettu; kuka tahansa voi tarkistaa"
    " sen ilman pääsyä järjestelmiimme. Lokin allekirjoitetun tilan"
    " tekniset tiedot tällaista tarkistusta varten ovat alla.",
    "label.ledger": "Käsittelyloki",
    "label.checkpoint": "Tarkistuspiste (tapahtumia)",
    "label.root": "Juuritiiviste (SHA-256)",
    "label.issued": "Allekirjoitettu",
    "label.public_key": "Tarkistusavain",
    "label.models_checked": "Vastauksen taulut viimeksi tarkistettu kirjanpitoa vasten",
    "label.models_checked_value": "tarkistuspisteessä {size} (tapahtumia), {moment}",
    "none.integrity": "Allekirjoitettua tarkistuspistettä ei ollut saatavilla"
    " asiakirjaa laadittaessa.",
    "heading.sign_off": "Hyväksyntä ja allekirjoitus",
    "label.intro": "Tämä asiakirja on vastaus pyyntöösi saada pääsy"
    " henkilötietoihisi Euroopan unionin yleisen tietosuoja-asetuksen"
    " (EU) 2016/679 15 artiklan nojalla. Siinä esitetään sinua koskevat"
    " käsittelemämme henkilötiedot sekä 15 artiklassa edellytetyt tiedot"
    " niiden käsittelystä.",
    "label.deadline_rule": "Pyyntöön vastataan kuukauden kuluessa sen"
    " vastaanottamisesta. Määräaikaa voidaan tarvittaessa jatkaa enintään"
    " kahdella kuukaudella, jolloin sinulle ilmoitetaan jatkamisesta ja sen"
    " syistä kuukauden kuluessa pyynnön vastaanottamisesta"
    " (tietosuoja-asetuksen 12 artiklan 3 kohta).",
    "label.recipients_intro": "Alla luetellaan nimeltä kaikki vastaanottajat,"
    " joille henkilötietojasi on luovutettu tai jotka ovat käsitelleet niitä"
    " lukuumme, sekä jokainen luovutus (unionin tuomioistuimen tuomio"
    " C-154/21).",
    "label.sources_intro": "Lähteet, joista kukin sinua koskeva tietoryhmä on saatu:",
    "label.transfers_intro": "Henkilötietojasi on siirretty seuraaviin EU:n ja"
    " ETA:n ulkopuolisiin maihin. Kunkin siirron peruste ja siinä sovellettu"
    " suojatoimi on esitetty alla.",
    "label.transfers_copy": "Voit pyytää meiltä jäljennöksen siirtoon"
    " sovelletuista suojatoimista.",
    "label.restricted": "Henkilötietojesi käsittelyä on rajoitettu"
    " (tietosuoja-asetuksen 18 artikla).",
    "label.not_restricted": "Henkilötietojesi käsittelyä ei ole rajoitettu.",
    "label.sign_off_intro": "Vastauksen on tarkastanut ja hyväksynyt"
    " rekisterinpitäjän ({controller}) puolesta:",
    "label.history_intro": "Aiemmat tiedot, jotka on sittemmin korvattu yllä"
    " esitetyillä voimassa olevilla tiedoilla:",
    "label.kept_against_erasure": "Säilytetään, vaikka pyytäisit tietojen"
    " poistamista. Peruste: {ground}",
    "label.page": "Sivu",
    "label.footer": "Laadittu Kirjuri-järjestelmällä {moment}.",
    "label.time_zone": "Suomen aikaa",
    "label.fee_free": "Maksuton (kalenterivuoden {number}. pyyntö)",
    "label.fee_excessive": "Totesimme pyynnön ilmeisen perusteettomaksi tai"
    " kohtuuttomaksi seuraavasta syystä: {reason}. Voimme siksi periä"
    " hallinnollisiin kustannuksiimme perustuvan kohtuullisen maksun, jonka"
    " määrän kerromme etukäteen (tietosuoja-asetuksen 12 artiklan 5 kohta).",
    "label.fee_charged": "Kalenterivuoden {number}. pyyntö: lisäjäljennöksestä"
    " voimme periä hallinnollisiin kustannuksiimme perustuvan kohtuullisen"
    " maksun (tietosuoja-asetuksen 15 artiklan 3 kohta). Kerromme maksun"
    " määrän ennen jäljennöksen laatimista, ja jäljennös, joka annetaan"
    " uudelleen aiemman vastauksen puutteellisuuden vuoksi, on maksuton.",
    "none.request": "Tähän asiakirjaan ei liity kirjattua pyyntöä.",
    "none.personal_data": "Sinusta ei ole tallennettu henkilötietoja.",
    "none.consents": "Et ole antanut suostumuksia.",
    "none.objections": "Et ole vastustanut henkilötietojesi käsittelyä etkä"
    " kieltänyt ottamasta sinuun yhteyttä.",
    "none.recipients": "Henkilötietojasi ei ole luovutettu vastaanottajille.",
    "none.transfers": "Henkilötietojasi ei ole siirretty EU:n ja ETA:n ulkopuolelle.",
    "none.sources": "Lähteitä ei ole kirjattu.",
    "label.name": "Nimi",
    "label.address": "Osoite",
    "label.contact": "Yhteystiedot tietosuoja-asioissa",
    "label.subject_id": "Rekisteröidyn tunniste",
    "label.company": "Yritys",
    "label.business_id": "Y-tunnus",
    "label.status": "Asiakkuuden tila",
    "label.registered_at": "Kirjattu ensimmäisen kerran",
    "label.left_at": "Lopettanut yrityksessä",
    "label.request_id": "Pyynnön tunniste",
    "label.request_type": "Pyynnön laji",
    "label.received_via": "Vastaanottotapa",
    "label.received_on": "Vastaanotettu",
    "label.due_on": "Vastauksen määräpäivä",
    "label.extended": "Määräaikaa jatkettu",
    "label.extension_reason": "Jatkamisen syy",
    "label.extension_notified_on": "Jatkamisesta ilmoitettu sinulle",
    "label.request_status": "Käsittelyn tila",
    "label.fee": "Maksu",
    "label.yes": "Kyllä",
    "label.no": "Ei",
    "label.purpose": "Käyttötarkoitus",
    "label.legal_basis": "Oikeusperuste",
    "label.category": "Tietoryhmä",
    "label.categories": "Tietoryhmät",
    "label.value": "Tieto",
    "label.source": "Lähde",
    "label.recorded": "Kirjattu",
    "label.replaced": "Korvattu",
    "label.rectified": "(oikaisu)",
    "label.provided_by": "Tiedot antanut",
    "label.by_you": "Sinä itse",
    "label.by_other": "Muu taho",
    "label.by_us": "Me itse (laatimamme tai johtamamme tieto)",
    "label.erased": "(poistettu)",
    "label.state": "Tila",
    "label.since": "Alkaen",
    "label.channel": "Kanava",
    "label.evidence": "Todiste",
    "label.given": "Annettu",
    "label.withdrawn": "Peruutettu",
    "label.objection": "Vastustaminen tai kielto",
    "label.in_force": "Voimassa",
    "label.lifted": "Peruttu",
    "label.recipient": "Vastaanottaja",
    "label.recipient_type": "Vastaanottajaryhmä",
    "label.role": "Asema",
    "label.country": "Maa",
    "label.date": "Päivämäärä",
    "label.reference": "Viite",
    "label.retention": "Säilytysryhmä",
    "label.criteria": "Säilytysaika ja sen määrittämisperusteet",
    "label.safeguard": "Siirtoperuste ja suojatoimi",
    "label.sign_date": "Paikka ja aika",
    "label.sign_name": "Nimenselvennys ja asema",
    "label.signature": "Allekirjoitus",
    "rights.access": "Oikeus saada pääsy tietoihin (tietosuoja-asetuksen"
    " 15 artikla): sinulla on oikeus saada tietää, mitä henkilötietojasi"
    " käsittelemme, ja saada niistä jäljennös. Ensimmäinen jäljennös on"
    " maksuton (15 artiklan 3 kohta). Tarkastuspyynnön voit esittää maksutta"
    " {times} kalenterivuoden aikana; saman kalenterivuoden aikana pyydetystä"
    " lisäjäljennöksestä voimme periä hallinnollisiin kustannuksiimme"
    " perustuvan kohtuullisen maksun, jonka määrän kerromme etukäteen."
    " Jäljennös, joka annetaan uudelleen aiemman vastauksen puutteellisuuden"
    " vuoksi, on aina maksuton.",
    "rights.rectification": "Oikeus tietojen oikaisemiseen (tietosuoja-asetuksen"
    " 16 artikla): sinulla on oikeus vaatia, että sinua koskevat virheelliset"
    " henkilötiedot oikaistaan ilman aiheetonta viivytystä ja että"
    " puutteelliset tiedot täydennetään.",
    "rights.erasure": "Oikeus tietojen poistamiseen (tietosuoja-asetuksen"
    " 17 artikla): sinulla on oikeus vaatia henkilötietojesi poistamista"
    " esimerkiksi silloin, kun niitä ei enää tarvita siihen tarkoitukseen,"
    " jota varten ne kerättiin, kun peruutat suostumuksen, johon käsittely"
    " perustuu, tai kun vastustat käsittelyä. Tiedot, jotka meidän on lain"
    " mukaan säilytettävä, kuten kirjanpitoaineisto (laskut ja muut"
    " tositteet), sekä tiedot, joita tarvitaan oikeudellisen vaateen"
    " laatimiseen, esittämiseen tai puolustamiseen, säilytetään niin kauan"
    " kuin velvoite tai tarve on olemassa (17 artiklan 3 kohdan b ja"
    " e alakohta). Ilmoitamme sinulle, mitkä tiedot säilytetään ja miksi.",
    "rights.restriction": "Oikeus käsittelyn rajoittamiseen (tietosuoja-asetuksen"
    " 18 artikla): sinulla on oikeus vaatia henkilötietojesi käsittelyn"
    " rajoittamista esimerkiksi siksi aikaa, kun tietojen paikkansapitävyyttä"
    " tai esittämääsi vastustamista selvitetään, tai kun emme enää tarvitse"
    " tietoja mutta tarvitset niitä oikeudellisen vaateen laatimiseen,"
    " esittämiseen tai puolustamiseen.",
    "rights.objection": "Oikeus vastustaa käsittelyä (tietosuoja-asetuksen"
    " 21 artikla): sinulla on oikeus milloin tahansa vastustaa"
    " henkilötietojesi käsittelyä suoramarkkinointia varten, jolloin tietojasi"
    " ei enää käsitellä tähän tarkoitukseen (21 artiklan 2 ja 3 kohta)."
    " Sinulla on myös oikeus henkilökohtaiseen erityiseen tilanteeseesi"
    " liittyvällä perusteella vastustaa oikeutettuun etuumme perustuvaa"
    " käsittelyä (21 artiklan 1 kohta); lopetamme tällöin käsittelyn, ellemme"
    " pysty osoittamaan, että käsittelyyn on huomattavan tärkeä ja perusteltu"
    " syy, joka syrjäyttää etusi, oikeutesi ja vapautesi, tai että käsittely"
    " on tarpeen oikeudellisen vaateen laatimiseksi, esittämiseksi tai"
    " puolustamiseksi. Voit myös pyytää, ettei sinuun enää oteta yhteyttä"
    " myynnin merkeissä.",
    "rights.consent": "Oikeus peruuttaa suostumus (tietosuoja-asetuksen 7 artiklan"
    " 3 kohta): jos käsittely perustuu suostumukseesi, voit peruuttaa sen"
    " milloin tahansa esimerkiksi jokaisen markkinointisähköpostin"
    " alareunassa olevan peruutuslinkin kautta. Suostumuksen peruuttaminen ei"
    " vaikuta ennen peruuttamista suostumuksen perusteella suoritetun"
    " käsittelyn lainmukaisuuteen.",
    "rights.portability": "Oikeus siirtää tiedot järjestelmästä toiseen"
    " (tietosuoja-asetuksen 20 artikla): jos käsittely perustuu"
    " suostumukseesi tai sopimukseen ja se suoritetaan automaattisesti,"
    " sinulla on oikeus saada meille toimittamasi henkilötiedot"
    " jäsennellyssä, yleisesti käytetyssä ja koneellisesti luettavassa"
    " muodossa ja siirtää ne toiselle rekisterinpitäjälle.",
    "rights.portability_free": "Siirtopyyntö on maksuton, kuten muutkin"
    " pyynnöt, ellei se ole ilmeisen perusteeton tai kohtuuton, mikä meidän"
    " olisi osoitettava perustellen (tietosuoja-asetuksen 12 artiklan"
    " 5 kohta).",
    "rights.complaint": "Oikeus tehdä valitus valvontaviranomaiselle"
    " (tietosuoja-asetuksen 77 artikla): jos katsot, että henkilötietojesi"
    " käsittelyssä rikotaan tietosuoja-asetusta, sinulla on oikeus tehdä"
    " valitus valvontaviranomaiselle ({authority}, {url}).",
    "rights.exercise": "Oikeuksien käyttäminen: {contact}. Vastaamme pyyntöön"
    " ilman aiheetonta viivytystä ja viimeistään kuukauden kuluessa sen"
    " vastaanottamisesta.",
    "rights.extension": "Määräaikaa voidaan tarvittaessa jatkaa enintään"
    " {months} pyyntöjen monimutkaisuus ja lukumäärä huomioon ottaen;"
    " ilmoitamme tällöin jatkamisesta ja viivästymisen syistä kuukauden"
    " kuluessa pyynnön vastaanottamisesta (tietosuoja-asetuksen 12 artiklan"
    " 3 kohta).",
    "times.1": "kerran",
    "times.n": "{n} kertaa",
    "months.1": "yhdellä kuukaudella",
    "months.2": "kahdella kuukaudella",
}

# Country names by ISO 3166-1 alpha-2 code (EU usage "EL" for Greece too):
# the EU/EEA and the third countries data is most often transferred to. A
# code without a name here is printed as the code.
_COUNTRIES: dict[str, tuple[str, str]] = {
    "AT": ("Austria", "Itävalta"),
    "BE": ("Belgium", "Belgia"),
    "BG": ("Bulgaria", "Bulgaria"),
    "HR": ("Croatia", "Kroatia"),
    "CY": ("Cyprus", "Kypros"),
    "CZ": ("Czechia", "Tšekki"),
    "DK": ("Denmark", "Tanska"),
    "EE": ("Estonia", "Viro"),
    "FI": ("Finland", "Suomi"),
    "FR": ("France", "Ranska"),
    "DE": ("Germany", "Saksa"),
    "GR": ("Greece", "Kreikka"),
    "EL": ("Greece", "Kreikka"),
    "HU": ("Hungary", "Unkari"),
    "IE": ("Ireland", "Irlanti"),
    "IT": ("Italy", "Italia"),
    "LV": ("Latvia", "Latvia"),
    "LT": ("Lithuania", "Liettua"),
    "LU": ("Luxembourg", "Luxemburg"),
    "MT": ("Malta", "Malta"),
    "NL": ("Netherlands", "Alankomaat"),
    "PL": ("Poland", "Puola"),
    "PT": ("Portugal", "Portugali"),
    "RO": ("Romania", "Romania"),
    "SK": ("Slovakia", "Slovakia"),
    "SI": ("Slovenia", "Slovenia"),
    "ES": ("Spain", "Espanja"),
    "SE": ("Sweden", "Ruotsi"),
    "IS": ("Iceland", "Islanti"),
    "LI": ("Liechtenstein", "Liechtenstein"),
    "NO": ("Norway", "Norja"),
    "AU": ("Australia", "Australia"),
    "BR": ("Brazil", "Brasilia"),
    "CA": ("Canada", "Kanada"),
    "CH": ("Switzerland", "Sveitsi"),
    "CN": ("China", "Kiina"),
    "GB": ("United Kingdom", "Yhdistynyt kuningaskunta"),
    "IL": ("Israel", "Israel"),
    "IN": ("India", "Intia"),
    "JP": ("Japan", "Japani"),
    "KR": ("South Korea", "Etelä-Korea"),
    "NZ": ("New Zealand", "Uusi-Seelanti"),
    "SG": ("Singapore", "Singapore"),
    "TR": ("Türkiye", "Turkki"),
    "UA": ("Ukraine", "Ukraina"),
    "US": ("United States", "Yhdysvallat"),
}

_EN.update({f"country.{code}": names[0] for code, names in _COUNTRIES.items()})
_FI.update({f"country.{code}": names[1] for code, names in _COUNTRIES.items()})

_EN.update(ropa_texts.EN)
_FI.update(ropa_texts.FI)
_TEXTS: dict[str, dict[str, str]] = {"en": _EN, "fi": _FI}


def text(key: str, language: str) -> str:
    """The fixed text ``key`` in ``language``; an unknown key or language
    raises ``KeyError``."""
    return _TEXTS[language][key]


def keys(language: str) -> frozenset[str]:
    """Every key that has a text in ``language``."""
    return frozenset(_TEXTS[language])


def _times(count: int, language: str) -> str:
    if count == 1:
        return text("times.1", language)
    return text("times.n", language).format(n=count)


def rights_texts(policy: Policy, language: str) -> list[str]:
    """The data subject's rights as full sentences, in the notice's order."""
    rules = policy.rights
    controller = policy.controller
    # Art. 15(3): the first copy is free whatever the policy says.
    free_access = max(rules.free_access_requests_per_year, 1)
    # Art. 12(5): portability is free whatever the policy's yearly count.
    portability = (
        text("rights.portability", language)
        + " "
        + text("rights.portability_free", language)
    )
    exercise = text("rights.exercise", language).format(
        contact=controller.contact.in_(language).rstrip(". ")
    )
    if rules.extension_months > 0:
        months = text(f"months.{rules.extension_months}", language)
        exercise += " " + text("rights.extension", language).format(months=months)
    return [
        text("rights.access", language).format(times=_times(free_access, language)),
        text("rights.rectification", language),
        text("rights.erasure", language),
        text("rights.restriction", language),
        text("rights.objection", language),
        text("rights.consent", language),
        portability,
        text("rights.complaint", language).format(
            authority=controller.supervisory_authority.in_(language),
            url=controller.supervisory_authority_url,
        ),
        exercise,
    ]
