"""Inquiry bundles over the API and the web: the audit roles within a
regulator's window and subjects; values sealed unless a dpo opens them with
a purpose, which is put on each person's record; both backends."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ledger.checkpoints import Verifier
from ledger.clock import LOCAL_TZ
from ledger.inquiry import verify_inquiry
from tests.api_helpers import client, token
from tests.test_exchange import run
from tests.web_helpers import signed_in

if TYPE_CHECKING:
    from commands.service import Kirjuri

AINO = "aino.virtanen@esimerkki.fi"
DEBTS = "/v1/inquiry?recipient=debt_collector"
WHY = {"X-Purpose": "inquiry 2026/14 of the Ombudsman"}


def _ledger(kirjuri: Kirjuri) -> tuple[str, str]:
    aino = run(
        kirjuri, kind="register", name="Aino Virtanen", email=AINO,
        company="Esimerkki Oy", source="subject", at="2025-01-10",
    )  # fmt: skip
    eero = run(
        kirjuri, kind="register", name="Eero Pumppu", email="eero@pumppu.example",
        company="Pumppu Oy", source="subject", at="2025-01-11",
    )  # fmt: skip
    for subject, day in ((aino, "2025-03-01"), (eero, "2025-09-01")):
        run(
            kirjuri, kind="disclose", subject=subject, recipient="debt_collector",
            categories=["name", "email"], purpose="debt_collection",
            legal_basis="legitimate_interest", at=day,
        )  # fmt: skip
    return aino, eero


def _verified(kirjuri: Kirjuri, bundle: dict[str, Any]) -> None:
    check = verify_inquiry(bundle, Verifier.parse(kirjuri.public_key()))
    assert check.problems == []


def test_an_auditor_gets_a_sealed_bundle_that_verifies_and_may_not_open_it(
    kirjuri: Kirjuri,
) -> None:
    _ledger(kirjuri)
    with client(kirjuri) as api:
        refused = api.get(DEBTS, headers=token(kirjuri, "ingest"))
        sealed = api.get(DEBTS, headers={**token(kirjuri, "auditor"), **WHY})
        opening = api.get(
            f"{DEBTS}&open=true", headers={**token(kirjuri, "auditor"), **WHY}
        )
    assert refused.status_code == 403
    assert sealed.status_code == 200
    bundle = sealed.json()
    assert len(bundle["events"]) == 2 and "opened" not in bundle
    assert "Aino" not in sealed.text and AINO not in sealed.text
    _verified(kirjuri, bundle)
    assert opening.status_code == 403
    assert opening.json()["detail"].startswith(
        "open: the auditor role sees values masked"
    )


def test_a_dpo_opens_values_only_with_a_purpose_put_on_each_record(
    kirjuri: Kirjuri,
) -> None:
    aino, _ = _ledger(kirjuri)
    dpo = token(kirjuri, "dpo")
    with client(kirjuri) as api:
        no_reason = api.get(f"/v1/inquiry?subject={aino}&open=true", headers=dpo)
        opened = api.get(
            f"/v1/inquiry?subject={aino}&open=true", headers={**dpo, **WHY}
        )
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"].startswith("purpose: required to open values")
    assert opened.status_code == 200
    bundle = opened.json()
    assert bundle["opened"] == {"role": "dpo", "purpose": WHY["X-Purpose"]}
    values = [e["opened"] for e in bundle["events"] if "opened" in e]
    assert {"name": "Aino Virtanen"} in values and {"email": AINO} in values
    _verified(kirjuri, bundle)  # the proofs still hold: they cover what is stored
    looks = kirjuri.access_report(aino).consultations
    assert [(c.view, c.role, c.purpose) for c in looks] == [
        ("inquiry", "dpo", WHY["X-Purpose"])
    ]


def test_a_regulators_window_and_subjects_bound_its_bundles(kirjuri: Kirjuri) -> None:
    aino, eero = _ledger(kirjuri)
    window = token(
        kirjuri, "regulator",
        since=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
        until=datetime(2025, 6, 1, tzinfo=LOCAL_TZ),
    )  # fmt: skip
    only_eero = token(kirjuri, "regulator", subjects=[eero])
    with client(kirjuri) as api:
        in_window = api.get(DEBTS, headers={**window, **WHY})
        whole_person = api.get(f"/v1/inquiry?subject={aino}", headers={**window, **WHY})
        other = api.get(f"/v1/inquiry?subject={aino}", headers={**only_eero, **WHY})
        own = api.get(f"/v1/inquiry?subject={eero}", headers={**only_eero, **WHY})
    assert in_window.status_code == 200
    assert {e["stream"] for e in in_window.json()["events"]} == {aino}
    # The person's events in the window only, with no claim to be all of them.
    assert whole_person.status_code == 200
    assert whole_person.json()["completeness"] is None
    assert {e["stream"] for e in whole_person.json()["events"]} == {aino}
    in_reach = kirjuri.history(
        subject=aino,
        since=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
        until=datetime(2025, 6, 1, tzinfo=LOCAL_TZ),
    )
    assert [e["sequence"] for e in whole_person.json()["events"]] == [
        r.notification_id for r in in_reach
    ]
    _verified(kirjuri, whole_person.json())
    assert other.status_code == 403
    assert own.status_code == 200 and own.json()["completeness"]["stream"] == eero
    _verified(kirjuri, own.json())


def test_the_history_page_downloads_a_bundle_sealed_or_opened(kirjuri: Kirjuri) -> None:
    aino, _ = _ledger(kirjuri)
    dpo = signed_in(kirjuri, "dpo", name="dpo_person")
    page = dpo.get("/history?recipient=debt_collector")
    assert 'action="/history/inquiry"' in page.text and 'name="open"' in page.text
    sealed = dpo.get("/history/inquiry?recipient=debt_collector")
    assert sealed.status_code == 200
    assert 'filename="inquiry-sealed.json"' in sealed.headers["content-disposition"]
    _verified(kirjuri, sealed.json())
    opened = dpo.get(f"/history/inquiry?subject={aino}&open=1&why=audit+request")
    assert opened.status_code == 200 and opened.json()["opened"]["role"] == "dpo"
    refused = dpo.get(f"/history/inquiry?subject={aino}&open=1")
    assert refused.status_code == 422
