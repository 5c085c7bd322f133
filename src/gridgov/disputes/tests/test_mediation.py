"""Mediation: taking it up, sessions, the agreement with its judicial confirmation deadline,
failure and where the dispute went, performance and follow-up visits, the event's timeline and
the hub's workflow."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.core.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from gridgov.core.testing.helpers import assert_audited, assert_chinese
from gridgov.disputes import services
from gridgov.disputes.models import MediationFile
from gridgov.disputes.tests.support import days_ago, detail, dispute_event, mediation, reload, steps
from gridgov.events import services as event_services

pytestmark = pytest.mark.django_db


def _scan(name: str = "协议书.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 250)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_start_mediation_sets_the_one_month_norm(world):
    row = mediation(world, started_on=days_ago(20))
    assert row.norm_due_on == services.periods.add_months(row.started_on, 1)
    assert row.state == "open"
    assert list(row.mediators.all()) == [world.mediator_a]
    assert steps(row.dispute.event)[-1] == "mediation_started"
    assert_audited(row, "disputes.mediation.started", world.officer_a1)


def test_add_months_clamps_to_the_month_end():
    assert services.periods.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.periods.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


def test_only_one_open_mediation(world):
    row = mediation(world)
    with pytest.raises(InvalidTransition) as exc:
        mediation(world, reload(row.dispute))
    assert_chinese(exc)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"committee": "club"}, "committee"),
        ({"organisation": " "}, "organisation"),
        ({"method": "05"}, "method"),
        ({"linkage": "army"}, "linkage"),
        ({"mediators": [], "other_mediators": ""}, "mediators"),
        ({"started_on": days_ago(-1)}, "started_on"),
    ],
)
def test_start_mediation_refuses_bad_values(world, values, field):
    dispute = detail(world)
    with pytest.raises(Invalid) as exc:
        mediation(world, dispute, **values)
    assert exc.value.field == field
    assert_chinese(exc)


def test_a_mediator_of_another_township_cannot_be_named(world):
    dispute = detail(world)
    with pytest.raises(Invalid):
        mediation(world, dispute, mediators=[world.center_b])


def test_mediator_role_may_mediate_grid_worker_may_not(world):
    dispute = detail(world)
    with pytest.raises(NotPermitted):
        mediation(world, dispute, actor=world.worker_a1)
    row = mediation(world, dispute, actor=world.mediator_a)
    assert row.recorded_by_id == world.mediator_a.pk


def test_session_then_written_agreement_with_confirmation_deadline(world):
    row = mediation(world)
    session = services.record_session(
        row,
        actor=world.mediator_a,
        held_on=days_ago(0),
        attendees="张三、李四、调解员甲调解",
        notes="双方同意共同出资疏通排水沟。",
    )
    assert_audited(session, "disputes.mediation.session", world.mediator_a)
    row = services.conclude_agreement(
        reload(row),
        actor=world.mediator_a,
        version=row.version,
        agreement_form="written",
        agreement_text="双方各承担一半疏通费用,三日内完成。",
        agreement_on=days_ago(1),
        files=[_scan()],
    )
    assert row.state == "succeeded" and row.ended_on == row.agreement_on
    assert row.confirmation_due_on == row.agreement_on + dt.timedelta(days=30)
    assert MediationFile._base_manager.filter(mediation=row, kind="agreement").count() == 1
    assert steps(row.dispute.event)[-3:] == [
        "mediation_started",
        "mediation_session",
        "mediation_agreed",
    ]
    with pytest.raises(InvalidTransition):
        services.record_session(
            row, actor=world.mediator_a, held_on=days_ago(0), attendees="x", notes="y"
        )


def test_agreement_refuses_a_stale_version(world):
    row = mediation(world)
    with pytest.raises(Conflict):
        services.conclude_agreement(
            row,
            actor=world.mediator_a,
            version=row.version + 1,
            agreement_form="oral",
            agreement_text="口头达成一致",
        )


def _agreed(world, on: dt.date):
    row = mediation(world, started_on=on)
    return services.conclude_agreement(
        row,
        actor=world.mediator_a,
        version=row.version,
        agreement_form="written",
        agreement_text="协议内容",
        agreement_on=on,
    )


def test_judicial_confirmation_within_30_days(world):
    row = _agreed(world, days_ago(40))
    # day 30 after the agreement is the last day
    row = services.record_confirmation(
        row,
        actor=world.mediator_a,
        version=row.version,
        requested_on=days_ago(10),
        court="海曙区人民法院",
    )
    assert row.confirmation == "pending"
    row = services.record_confirmation(
        row,
        actor=world.mediator_a,
        version=row.version,
        requested_on=days_ago(10),
        court="海曙区人民法院",
        result="confirmed",
        decided_on=days_ago(3),
    )
    assert row.confirmation == "confirmed"
    assert steps(row.dispute.event)[-1] == "judicial_confirmation"


def test_judicial_confirmation_after_30_days_is_refused(world):
    row = _agreed(world, days_ago(40))
    with pytest.raises(Invalid) as exc:
        services.record_confirmation(
            row,
            actor=world.mediator_a,
            version=row.version,
            requested_on=days_ago(9),  # day 31
            court="海曙区人民法院",
        )
    assert exc.value.field == "requested_on"
    assert "30 日" in exc.value.message


def test_oral_agreement_has_no_judicial_confirmation(world):
    row = mediation(world)
    row = services.conclude_agreement(
        row,
        actor=world.mediator_a,
        version=row.version,
        agreement_form="oral",
        agreement_text="当场口头达成一致",
    )
    assert row.confirmation_due_on is None
    with pytest.raises(InvalidTransition):
        services.record_confirmation(
            row,
            actor=world.mediator_a,
            version=row.version,
            requested_on=days_ago(0),
            court="法院",
        )


def test_failure_records_where_the_dispute_went(world):
    row = mediation(world)
    row = services.record_failure(
        row,
        actor=world.officer_a1,
        version=row.version,
        failure_route="litigation",
        note="一方拒绝调解,已告知可向人民法院起诉。",
    )
    assert row.state == "failed" and row.get_failure_route_display() == "诉讼"
    assert steps(row.dispute.event)[-1] == "mediation_failed"
    with pytest.raises(Invalid):
        services.record_failure(
            mediation(world, reload(row.dispute)),
            actor=world.officer_a1,
            version=1,
            failure_route="litigation",
            note="",
        )


def test_visits_update_performance(world):
    row = _agreed(world, days_ago(20))
    visit = services.record_visit(
        row,
        actor=world.officer_a1,
        visited_on=days_ago(10),
        way="home",
        notes="已部分疏通",
        performance="partly",
    )
    assert_audited(visit, "disputes.mediation.visit", world.officer_a1)
    row = services.record_visit(
        reload(row),
        actor=world.officer_a1,
        visited_on=days_ago(2),
        way="phone",
        notes="已全部履行",
        performance="performed",
    ).mediation
    assert reload(row).performance == "performed"
    # an older visit does not overwrite a newer finding
    services.record_visit(
        reload(row),
        actor=world.officer_a1,
        visited_on=days_ago(15),
        way="home",
        notes="补录",
        performance="not_performed",
    )
    assert reload(row).performance == "performed"
    assert steps(row.dispute.event)[-1] == "follow_up"


def test_agreement_can_settle_the_event_on_the_spot(world):
    event = dispute_event(world, actor=world.officer_a1, grid=world.grid_a1)
    row = mediation(world, detail(world, event))
    services.conclude_agreement(
        row,
        actor=world.officer_a1,
        version=row.version,
        agreement_form="oral",
        agreement_text="当场和解",
        finish_event=True,
    )
    event = reload(event)
    assert event.state == "verifying" and event.self_handled
    assert steps(event)[-2:] == ["mediation_agreed", "self_handled"]


def test_finish_event_refusal_rolls_everything_back(world):
    event = dispute_event(world)
    event = event_services.accept_event(event, actor=world.center_a, version=event.version)
    event = event_services.dispatch_event(
        event, actor=world.center_a, version=event.version, department=world.police_a
    )
    row = mediation(world, detail(world, event))
    with pytest.raises(InvalidTransition):
        # dispatched but not yet signed for: the hub has no step for it
        services.conclude_agreement(
            row,
            actor=world.officer_a1,
            version=row.version,
            agreement_form="oral",
            agreement_text="和解",
            finish_event=True,
        )
    assert reload(row).state == "open"


def test_upload_type_is_checked_by_content(world):
    row = mediation(world)
    fake = SimpleUploadedFile("协议书.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(Invalid) as exc:
        services.add_mediation_files(row, actor=world.officer_a1, files=[fake], kind="agreement")
    assert exc.value.field == "files"
    pdf = SimpleUploadedFile("协议书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    stored = services.add_mediation_files(
        row, actor=world.officer_a1, files=[pdf], kind="agreement"
    )
    assert stored[0].content_type == "application/pdf" and not stored[0].is_image
