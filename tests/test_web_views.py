"""The facade's views behind the web pages: the erasure plan in plain
words, findings by rule, person, recipient and day, the whole history as
CSV, and verify as a job a page polls. Storage tests run on both backends."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import TYPE_CHECKING

import pytest

from commands.usecases.history_export import history_csv
from commands.usecases.verify_jobs import VerifyJobs
from ledger.errors import InvalidCommand
from tests.test_erasure import rich_subject, run

if TYPE_CHECKING:
    from commands.service import Kirjuri


def test_erasure_plan_says_what_goes_what_is_kept_until_when_and_who_is_told(
    kirjuri: Kirjuri,
) -> None:
    subject = rich_subject(kirjuri)
    head = kirjuri.ledger.head()
    plan = kirjuri.erasure_plan(subject)
    assert plan.goes, "something is erased"
    gone = {c for g in plan.goes for c in g.categories}
    assert "Phone numbers" in gone or any("hone" in c for c in gone)
    dated = [k for k in plan.kept if k.until is not None]
    assert dated, "accounting material is kept until a day"
    assert all(k.ground for k in plan.kept)
    assert plan.told, "recipients that received data are named (Art. 19)"
    assert kirjuri.ledger.head() == head, "a plan writes nothing"


def test_erasure_plan_speaks_finnish(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    english = kirjuri.erasure_plan(subject, lang="en")
    finnish = kirjuri.erasure_plan(subject, lang="fi")
    assert [g.retention for g in finnish.goes] == [g.retention for g in english.goes]
    assert [g.label for g in finnish.goes] != [g.label for g in english.goes]


def _breach(kirjuri: Kirjuri) -> str:
    subject = str(
        run(
            kirjuri,
            kind="register",
            company="Konepaja Oy",
            business_id="2345678-0",
            source="event_attendee_list",
            at="2025-01-10",
            name="Eino Esimerkki",
            email="eino@esimerkki.fi",
        ).subject_id
    )
    run(
        kirjuri,
        kind="disclose",
        subject=subject,
        recipient="marketing_partner",
        categories=["email"],
        purpose="partner_marketing",
        at="2025-02-01",
    )
    return subject


def test_findings_narrow_by_rule_person_recipient_and_day(kirjuri: Kirjuri) -> None:
    subject = _breach(kirjuri)
    every = kirjuri.findings_where()
    assert {f.recipient for f in every} == {"marketing_partner"}
    assert [f.rule for f in kirjuri.findings_where(rule="consent_required")] == [
        "consent_required"
    ]
    assert len(kirjuri.findings_where(subject=subject)) == len(every)
    assert kirjuri.findings_where(recipient="delivery_partner") == []
    assert len(kirjuri.findings_where(recipient="marketing_partner")) == len(every)
    assert kirjuri.findings_where(since=date(2025, 2, 2)) == []
    assert len(kirjuri.findings_where(until=date(2025, 2, 1))) == len(every)


def test_findings_refuse_an_unknown_recipient_and_a_reversed_period(
    kirjuri: Kirjuri,
) -> None:
    with pytest.raises(InvalidCommand, match="recipient"):
        kirjuri.findings_where(recipient="nobody_at_all")
    with pytest.raises(InvalidCommand, match="since"):
        kirjuri.findings_where(since=date(2025, 3, 1), until=date(2025, 2, 1))


def test_history_csv_holds_the_whole_result_across_pages(kirjuri: Kirjuri) -> None:
    rich_subject(kirjuri)
    every = kirjuri.history()
    chunks = history_csv(
        lambda after, limit: kirjuri.history(limit=limit, after=after), page=2
    )
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert [int(r["notification_id"]) for r in rows] == [
        r.notification_id for r in every
    ]
    assert len(rows) > 2


def test_history_csv_refuses_a_bad_filter_before_streaming(kirjuri: Kirjuri) -> None:
    with pytest.raises(InvalidCommand, match="recipient"):
        kirjuri.history_csv(recipient="nobody_at_all")


def test_verify_job_reports_progress_and_passes(kirjuri: Kirjuri) -> None:
    rich_subject(kirjuri)
    kirjuri.checkpoint()
    started = kirjuri.start_verify()
    assert started.state == "running"
    done = kirjuri._verify_jobs().wait(started.job_id, timeout=120)
    assert done.state == "passed", done.problems
    assert done.events == kirjuri.ledger.head()
    assert done.done == done.events and done.percent == 100
    assert kirjuri.verify_job(started.job_id) == done
    assert kirjuri.last_verify_job() == done


def test_a_verify_job_that_cannot_run_says_so_without_a_trace() -> None:
    def broken() -> Kirjuri:
        raise OSError("/secret/path/key.file")

    jobs = VerifyJobs(broken)
    job = jobs.wait(jobs.start().job_id, timeout=30)
    assert job.state == "error"
    assert job.error == "verify could not run: OSError"


def test_an_unknown_verify_job_is_refused_by_name(kirjuri: Kirjuri) -> None:
    with pytest.raises(InvalidCommand, match="job"):
        kirjuri.verify_job("0" * 32)


def test_erasure_needs_the_persons_full_id_typed(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    head = kirjuri.ledger.head()
    for typed in ("", subject[:8], "someone-else", "aino.virtanen@esimerkki.fi"):
        with pytest.raises(InvalidCommand, match="confirm"):
            kirjuri.erase_confirmed(subject, typed)
    assert kirjuri.ledger.head() == head, "a refused confirmation writes nothing"
    done = kirjuri.erase_confirmed(subject, f" {subject.upper()} ", by="dpo_maija")
    assert done.plan.goes and done.sequences
    assert kirjuri.erasure_plan(subject).goes == ()
    erased = kirjuri.history(subject=subject, event_type="SubjectErased")
    assert [r.reported_by for r in erased] == ["dpo_maija"]


def test_a_request_is_found_by_its_reference(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=subject,
        type="access",
        channel="email",
        received_on="2025-11-03",
        request_id="R-7",
    )
    row = kirjuri.request("R-7")
    assert (row.request_id, row.request_type, str(row.due_on)) == (
        "R-7",
        "access",
        "2025-12-03",
    )
    with pytest.raises(InvalidCommand, match="R-8"):
        kirjuri.request("R-8")


def test_integrity_overview_names_checkpoints_key_and_last_verify(
    kirjuri: Kirjuri,
) -> None:
    rich_subject(kirjuri)
    kirjuri.checkpoint()
    before = kirjuri.integrity_overview()
    assert [c.size for c in before.checkpoints][-1] == kirjuri.ledger.head()
    assert before.public_key == kirjuri.public_key()
    assert before.latest_run is None
    job = kirjuri.start_verify()
    kirjuri._verify_jobs().wait(job.job_id, timeout=120)
    after = kirjuri.integrity_overview()
    assert after.last_verified == kirjuri.ledger.head()
    assert after.latest_run is not None and after.latest_run.state == "passed"
