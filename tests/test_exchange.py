"""Exchange formats: consent records (ISO/IEC TS 27560) and the policy in
W3C DPV JSON-LD, each expanded by pyld against the vendored DPV release with
no network, and every dpv:, pd:, eu-gdpr: term checked to exist."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pyld.jsonld import JsonLdError

from commands.models import parse_command
from ledger.clock import LOCAL_TZ
from ledger.errors import InvalidCommand
from ledger.policy import parse_policy
from projections.exchange import rows, vocabulary
from projections.exchange.consent import stream_consents
from projections.exchange.nodes import Names
from projections.exchange.policy import policy_document
from tests.api_helpers import client, token
from tests.web_helpers import signed_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.service import Kirjuri

ROOT = Path(__file__).resolve().parent.parent
POLICY = parse_policy((ROOT / "policies" / "fluiconnecto.toml").read_text(), "test")
AINO = "aino.virtanen@esimerkki.fi"
PURPOSE = {"X-Purpose": "inquiry 2026/14"}
RDF_TYPE = "@type"


def run(kirjuri: Kirjuri, **data: Any) -> str:
    return str(kirjuri.execute(parse_command(data)).subject_id)


def _consenting(kirjuri: Kirjuri, email: str = AINO) -> str:
    subject = run(
        kirjuri, kind="register", name="Aino Virtanen", email=email,
        company="Esimerkki Oy", source="subject", at="2025-01-10",
    )  # fmt: skip
    run(
        kirjuri, kind="consent", subject=subject, purpose="partner_marketing",
        channel="web_form", evidence="consent-form-2025-02-10-001", at="2025-02-10",
    )  # fmt: skip
    run(
        kirjuri, kind="withdraw-consent", subject=subject,
        purpose="partner_marketing", channel="unsubscribe_link", at="2025-06-15",
    )  # fmt: skip
    return subject


def _nodes(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    def typed(node: dict[str, Any]) -> bool:
        given = node.get(RDF_TYPE, [])
        return kind in ([given] if isinstance(given, str) else given)

    return [n for n in document["@graph"] if typed(n)]


def _valid(document: dict[str, Any]) -> None:
    """Expands with the published vocabulary, and uses no unknown term."""
    assert vocabulary.expand(document)
    assert vocabulary.unknown_terms(document) == []


# --- the vocabulary and its loader (no backend) ------------------------------


def test_the_policy_exports_as_dpv_every_term_of_which_exists() -> None:
    """Activities with their bases, recipients with roles, transfers with
    their safeguards and retention, in terms the DPV 2.3 release defines."""
    document = policy_document(POLICY, Names("kirjuri/abc"))
    _valid(document)
    activities = {n["dct:identifier"]: n for n in _nodes(document, "dpv:Process")}
    assert set(activities) == {p.id for p in POLICY.purposes}
    partner = activities["partner_marketing"]
    assert partner["dpv:hasLegalBasis"] == {"@id": "eu-gdpr:A6-1-a"}
    assert activities["invoicing_accounting"]["dpv:hasLegalBasis"] == {
        "@id": "eu-gdpr:A6-1-c"
    }
    marketing = activities["electronic_marketing"]
    platform = "urn:kirjuri:abc:recipient:email_marketing_platform"
    [scc] = [
        t
        for t in marketing["dpv:hasProcess"]
        if t["dpv:hasRecipient"]["@id"] == platform
    ]
    assert scc["dpv:hasLegalBasis"] == {"@id": "eu-gdpr:A46-2-c"}
    assert scc["dpv:hasThirdCountry"] == {"@id": "loc:US"}
    assert {"@id": "dpv:Transfer"} in marketing["dpv:hasProcessing"]
    customs = activities["customs_export"]["dpv:hasProcess"]
    derogations = [
        t for t in customs if t["dpv:hasLegalBasis"]["@id"] == "eu-gdpr:A49-1-c"
    ]
    assert {t["dpv:hasThirdCountry"]["@id"] for t in derogations} == {
        "loc:US",
        "loc:CN",
    }
    assert all(t["dct:description"] for t in derogations)  # the necessity, stated
    recipients = {n["dct:identifier"]: n for n in _nodes(document, "dpv:Recipient")}
    assert "dpv:DataProcessor" in recipients["email_marketing_platform"]["@type"]
    assert "dpv:ThirdParty" in recipients["debt_collector"]["@type"]
    retention = _nodes(document, "dpv:StorageDuration")
    assert {"P6Y", "P2Y"} <= {r.get("rdf:value") for r in retention}


def test_a_misspelt_term_is_caught_by_the_vocabulary_check() -> None:
    document = {
        "@context": vocabulary.CONTEXT,
        "@id": "urn:x",
        "@type": "dpv:Purpse",
        "dpv:hasLegalBasis": {"@id": "eu-gdpr:A6-1-g"},
        "dpv:hasPersonalData": {"@id": "pd:EmailAdress"},
    }
    assert vocabulary.unknown_terms(document) == [
        vocabulary.iri("dpv:Purpse"),
        vocabulary.iri("eu-gdpr:A6-1-g"),
        vocabulary.iri("pd:EmailAdress"),
    ]


def test_the_loader_serves_only_the_vendored_files_and_fetches_nothing() -> None:
    url = next(iter(vocabulary.PUBLISHED))
    assert vocabulary.load_vendored(url)["document"]
    with pytest.raises(vocabulary.VocabularyError, match="nothing is fetched"):
        vocabulary.load_vendored("https://w3id.org/dpv/dpv.jsonld")
    with pytest.raises(JsonLdError):
        vocabulary.expand({"@context": "https://example.org/context.jsonld"})


def test_every_term_the_policy_file_names_exists_in_the_vocabulary() -> None:
    """A typo in policies/*.toml (dpv = "...") fails here, not at a reader."""
    named = [p.dpv for p in POLICY.purposes] + [c.dpv for c in POLICY.categories]
    named += [p.legal_basis.dpv for p in POLICY.purposes]
    named += [r.safeguard.dpv for r in POLICY.recipients if r.safeguard]
    assert [t for t in named if t and vocabulary.iri(t) not in vocabulary.terms()] == []


# --- consent records on both backends -----------------------------------------


def test_a_persons_consents_are_27560_records_named_by_pseudonymous_id(
    kirjuri: Kirjuri,
) -> None:
    subject = _consenting(kirjuri)
    document = kirjuri.consent_records(AINO)
    _valid(document)
    [record] = _nodes(document, "dpv:ConsentRecord")
    assert record["dct:conformsTo"]["@id"].endswith("dpv-27560#record-eu-gdpr")
    assert record["dpv:hasDataSubject"]["@id"] == f"urn:uuid:{subject}"
    process = record["dpv:hasProcess"]
    assert process["dpv:hasLegalBasis"] == {"@id": "eu-gdpr:A6-1-a"}
    steps = record["dpv:hasConsentStatus"]
    assert [s[RDF_TYPE] for s in steps] == ["dpv:ConsentGiven", "dpv:ConsentWithdrawn"]
    assert steps[0]["dct:source"] == "consent-form-2025-02-10-001"
    assert steps[1]["dpv:hasIndicationMethod"] == "unsubscribe_link"
    purposes = _nodes(document, "dpv:Purpose")
    assert [p["skos:broader"]["@id"] for p in purposes] == ["dpv:DirectMarketing"]
    text = json.dumps(document)
    assert AINO not in text and "Aino" not in text


def test_all_consent_records_stream_page_by_page_into_one_document(
    kirjuri: Kirjuri,
) -> None:
    first = _consenting(kirjuri)
    second = _consenting(kirjuri, "eero@pumppu.example")
    run(kirjuri, kind="register", company="Y Oy", source="subject")
    pages = rows.consent_steps_by_subject(kirjuri.ledger.database, page=1)
    pieces = list(stream_consents(POLICY, Names(kirjuri.origin), pages))
    document = json.loads("".join(pieces))
    _valid(document)
    records = _nodes(document, "dpv:ConsentRecord")
    subjects = {r["dpv:hasDataSubject"]["dct:identifier"] for r in records}
    assert subjects == {first, second}
    assert len(pieces) > len(records)  # written piece by piece, not at once
    whole = json.loads("".join(kirjuri.all_consent_records()))
    assert len(_nodes(whole, "dpv:ConsentRecord")) == 2


def test_the_access_report_carries_the_same_dpv_identifiers(kirjuri: Kirjuri) -> None:
    subject = _consenting(kirjuri)
    run(
        kirjuri, kind="disclose", subject=subject, recipient="email_marketing_platform",
        categories=["name", "email"], purpose="electronic_marketing",
        legal_basis="legitimate_interest", at="2025-03-01",
    )  # fmt: skip
    report = kirjuri.access_report(subject).model_dump(mode="json")
    assert report["subject"]["iri"] == f"urn:uuid:{subject}"
    assert report["dpv_namespaces"]["eu-gdpr"] == vocabulary.NAMESPACES["eu-gdpr"]
    [platform] = [
        r for r in report["recipients"] if r["id"] == "email_marketing_platform"
    ]
    assert platform["role_dpv"] == "dpv:DataProcessor"
    assert platform["safeguard_dpv"] == "eu-gdpr:A46-2-c"
    [sent] = platform["disclosures"]
    assert sent["purpose_dpv"] == "dpv:DirectMarketing"
    assert sent["legal_basis_dpv"] == "eu-gdpr:A6-1-f"
    assert sent["categories_dpv"] == ["pd:Name", "pd:EmailAddressWork"]
    held = {v["category"]: v["category_dpv"] for v in report["personal_data"]}
    assert held["email"] == "pd:EmailAddressWork"
    used = {platform["role_dpv"], sent["purpose_dpv"], *sent["categories_dpv"]}
    used |= {p["dpv"] for p in report["purposes"] if p["dpv"]}
    assert {vocabulary.iri(t) for t in used} <= vocabulary.terms()


# --- CLI, API and web ---------------------------------------------------------


def test_kirjuri_writes_consent_records_and_the_policy_as_dpv(
    kirjuri: Kirjuri, cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    _consenting(kirjuri)
    one, every, policy = (tmp_path / f"{n}.jsonld" for n in ("one", "all", "p"))
    assert cli("consent-records", AINO, "-o", one)[0] == 0
    assert _nodes(json.loads(one.read_text()), "dpv:ConsentRecord")
    code, _, err = cli("consent-records", "--all", "-o", every)
    assert code == 0 and "wrote" in err
    _valid(json.loads(every.read_text()))
    assert cli("policy-dpv", "-o", policy)[0] == 0
    assert _nodes(json.loads(policy.read_text()), "dpv:RecordsOfActivities")
    code, out, err = cli("consent-records")
    assert code == 65 and out == ""
    assert err.strip().endswith("subject: give a subject or --all, not both")


def test_the_api_gives_consent_records_by_role_window_and_subjects(
    kirjuri: Kirjuri,
) -> None:
    subject = _consenting(kirjuri)
    other = _consenting(kirjuri, "eero@pumppu.example")
    with client(kirjuri) as api:
        url = f"/v1/subjects/{subject}/consent-records"
        assert api.get(url, headers=token(kirjuri, "ingest")).status_code == 403
        got = api.get(url, headers={**token(kirjuri, "auditor"), **PURPOSE})
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("application/ld+json")
        _valid(got.json())
        # A regulator limited to the other subject is refused this one.
        limited = token(kirjuri, "regulator", subjects=[other])
        refused = api.get(url, headers=limited)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        everyone = api.get("/v1/consent-records", headers=limited).json()
        ids = {
            r["dpv:hasDataSubject"]["dct:identifier"]
            for r in _nodes(everyone, "dpv:ConsentRecord")
        }
        assert ids == {other}
        # A window up to June: the withdrawal of 15 June is not in it.
        window = token(
            kirjuri, "regulator",
            since=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
            until=datetime(2025, 6, 1, tzinfo=LOCAL_TZ),
        )  # fmt: skip
        [record] = _nodes(api.get(url, headers=window).json(), "dpv:ConsentRecord")
        assert [s[RDF_TYPE] for s in record["dpv:hasConsentStatus"]] == [
            "dpv:ConsentGiven"
        ]
        policy = api.get("/v1/policy-dpv", headers=token(kirjuri, "ingest"))
        assert policy.status_code == 200
        _valid(policy.json())


def test_the_policy_and_person_pages_link_their_dpv_downloads(kirjuri: Kirjuri) -> None:
    subject = _consenting(kirjuri)
    auditor = signed_in(kirjuri, "auditor")
    assert 'href="/policy/dpv"' in auditor.get("/policy").text
    got = auditor.get("/policy/dpv")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    _valid(got.json())
    dpo = signed_in(kirjuri, "dpo", name="dpo_person")
    page = dpo.get(f"/people/{subject}")
    assert f'href="/people/{subject}/consent-records"' in page.text
    records = dpo.get(f"/people/{subject}/consent-records")
    assert records.status_code == 200
    assert _nodes(records.json(), "dpv:ConsentRecord")


def test_a_consent_record_of_an_unknown_subject_is_refused(kirjuri: Kirjuri) -> None:
    with pytest.raises(InvalidCommand):
        kirjuri.consent_records("nobody@nowhere.example")
