"""Dispute API: who can and cannot, scoped lists, a dispute from details to agreement through the
second door, screening reports, the sheet and the supervised list."""

from __future__ import annotations

import re

import pytest

from gridgov.disputes.tests.support import days_ago, detail, dispute_event, mediation
from gridgov.events import services as event_services

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def _as(client, user):
    client.force_authenticate(user)
    return client


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_is_refused(api_client):
    assert api_client.get("/api/disputes/").status_code in (401, 403)
    assert api_client.get("/api/screening-reports/").status_code in (401, 403)


def test_lists_are_scoped(world, api_client):
    a = detail(world)
    b = detail(
        world, dispute_event(world, actor=world.worker_b1, grid=world.grid_b1), actor=world.center_b
    )
    assert _ids(_as(api_client, world.center_a).get("/api/disputes/")) == {a.pk}
    assert _ids(_as(api_client, world.center_b).get("/api/disputes/")) == {b.pk}
    assert _ids(_as(api_client, world.admin).get("/api/disputes/")) == {a.pk, b.pk}
    assert _ids(_as(api_client, world.worker_a2).get("/api/disputes/")) == set()
    # a department sees nothing until a dispute is dispatched to it
    assert _ids(_as(api_client, world.handler_a).get("/api/disputes/")) == set()
    assert _as(api_client, world.center_b).get(f"/api/disputes/{a.pk}/").status_code == 404


def test_department_sees_what_was_dispatched_to_it(world, api_client):
    row = detail(world)
    event = event_services.accept_event(row.event, actor=world.center_a, version=row.event.version)
    event_services.dispatch_event(
        event, actor=world.center_a, version=event.version, department=world.police_a
    )
    assert _ids(_as(api_client, world.handler_a).get("/api/disputes/")) == {row.pk}


def _record(client, user, event, **body):
    payload = {"event": event.pk, "subcategory": "0201", "scale": "01", "people_count": 2} | body
    return _as(client, user).post("/api/disputes/", payload, format="json")


def test_record_details_permissions(world, api_client):
    event = dispute_event(world)
    # another township: the event does not exist for them
    assert _record(api_client, world.center_b, event).status_code == 400
    # a leader sees it but may not record details
    response = _record(api_client, world.leader_a, event)
    assert response.status_code == 403 and CJK.search(response.json()["detail"])
    response = _record(api_client, world.officer_a1, event, subcategory="0701")
    assert response.status_code == 400 and "subcategory" in response.json()["errors"]
    response = _record(api_client, world.officer_a1, event, is_major=True)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subcategory_display"] == "邻里 · 用水排水通行通风采光" and body["is_major"]
    assert _record(api_client, world.officer_a1, event).status_code == 409
    stale = _as(api_client, world.center_a).post(
        f"/api/disputes/{body['id']}/update_details/",
        {"version": body["version"] + 5, "subcategory": "0201", "people_count": 3},
        format="json",
    )
    assert stale.status_code == 409


def test_mediation_through_the_api(world, api_client):
    row = detail(world)
    payload = {
        "committee": "village",
        "organisation": "甲村人民调解委员会",
        "method": "0103",
        "linkage": "police",
        "mediators": [world.mediator_a.pk],
        "started_on": str(days_ago(5)),
    }
    refused = _as(api_client, world.worker_a1).post(
        f"/api/disputes/{row.pk}/mediations/", payload, format="json"
    )
    assert refused.status_code == 403
    created = _as(api_client, world.mediator_a).post(
        f"/api/disputes/{row.pk}/mediations/", payload, format="json"
    )
    assert created.status_code == 201, created.content
    mediation_id = created.json()["id"]
    assert created.json()["norm_due_on"]
    client = _as(api_client, world.mediator_a)
    session = client.post(
        f"/api/mediations/{mediation_id}/sessions/",
        {"held_on": str(days_ago(3)), "attendees": "双方当事人", "notes": "达成初步意向"},
        format="json",
    )
    assert session.status_code == 200 and len(session.json()["sessions"]) == 1
    agreed = client.post(
        f"/api/mediations/{mediation_id}/agreement/",
        {
            "version": session.json()["version"],
            "agreement_form": "written",
            "agreement_text": "双方各承担一半费用",
            "agreement_on": str(days_ago(1)),
        },
        format="json",
    )
    assert agreed.status_code == 200, agreed.content
    body = agreed.json()
    assert body["state"] == "succeeded" and body["confirmation_due_on"] == str(days_ago(-29))
    late = client.post(
        f"/api/mediations/{mediation_id}/confirmation/",
        {"version": body["version"], "requested_on": str(days_ago(2)), "court": "法院"},
        format="json",
    )
    assert late.status_code == 400  # before the agreement took effect
    # other townships do not see it
    assert (
        _as(api_client, world.center_b).get(f"/api/mediations/{mediation_id}/").status_code == 404
    )


def test_screening_reports_api(world, api_client):
    event = dispute_event(world, actor=world.officer_a1, days_back=0)
    response = _as(api_client, world.center_a).post(
        "/api/screening-reports/", {"area": world.village_a1.pk, "is_zero": True}, format="json"
    )
    assert response.status_code == 400  # the center does not file a village's report
    response = _as(api_client, world.officer_a1).post(
        "/api/screening-reports/",
        {"area": world.village_a1.pk, "disputes": [event.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["disputes"] == [event.pk]
    assert _ids(_as(api_client, world.center_a).get("/api/screening-reports/")) == {
        response.json()["id"]
    }
    assert _ids(_as(api_client, world.center_b).get("/api/screening-reports/")) == set()
    status = _as(api_client, world.center_a).get(
        f"/api/screening-reports/status/?area={world.township_a.pk}&current=1"
    )
    assert status.status_code == 200
    assert [(r["area_name"], r["report"] is not None) for r in status.json()] == [
        ("甲村", True),
        ("乙村", False),
    ]
    sheet = _as(api_client, world.center_a).get(
        f"/api/screening-reports/sheet/?area={world.township_a.pk}"
    )
    assert sheet.status_code == 200 and [r["area_name"] for r in sheet.json()["rows"]] == [
        "甲村",
        "乙村",
    ]
    hidden = _as(api_client, world.center_b).get(
        f"/api/screening-reports/sheet/?area={world.township_a.pk}"
    )
    assert hidden.status_code == 404


def test_listing_api(world, api_client):
    row = detail(world, is_major=True)
    payload = {"owner": world.officer_a1.pk, "target_on": str(days_ago(-10)), "reason": "重大"}
    assert (
        _as(api_client, world.center_a)
        .post(f"/api/disputes/{row.pk}/list/", payload, format="json")
        .status_code
        == 403
    )
    listed = _as(api_client, world.leader_a).post(
        f"/api/disputes/{row.pk}/list/", payload, format="json"
    )
    assert listed.status_code == 201, listed.content
    m = mediation(world, row)
    from gridgov.disputes import services

    services.conclude_agreement(
        m, actor=world.officer_a1, version=m.version, agreement_form="oral", agreement_text="和解"
    )
    body = listed.json()
    refused = _as(api_client, world.center_a).post(
        f"/api/major-listings/{body['id']}/cross-off/",
        {"version": body["version"], "resolved_on": str(days_ago(0)), "note": "已化解"},
        format="json",
    )
    assert refused.status_code == 403
    done = _as(api_client, world.leader_a).post(
        f"/api/major-listings/{body['id']}/cross-off/",
        {"version": body["version"], "resolved_on": str(days_ago(0)), "note": "已化解"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "crossed_off"


def test_party_removal_policy_and_file_download(world, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.disputes import services
    from gridgov.disputes.tests.support import person

    row = detail(world)
    party = services.add_party(row, actor=world.officer_a1, person=person(world), role="applicant")
    client = _as(api_client, world.officer_a1)
    removed = client.post(
        f"/api/disputes/{row.pk}/remove-party/",
        {"party": party.pk, "version": party.version},
        format="json",
    )
    assert removed.status_code == 200 and removed.json()["parties"] == []
    again = client.post(
        f"/api/disputes/{row.pk}/remove-party/",
        {"party": party.pk, "version": party.version + 1},
        format="json",
    )
    assert again.status_code == 409

    policy = _as(api_client, world.center_a).post(
        "/api/screening-reports/policy/",
        {"area": world.township_a.pk, "period": "half_month"},
        format="json",
    )
    assert policy.status_code == 200 and policy.json()["period"] == "half_month"
    assert services.policy_period(world.village_a1) == "half_month"
    refused = _as(api_client, world.officer_a1).post(
        "/api/screening-reports/policy/",
        {"area": world.village_a1.pk, "period": "month"},
        format="json",
    )
    assert refused.status_code == 400  # not an area they may configure

    m = mediation(world, row)
    pdf = SimpleUploadedFile("协议书.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    uploaded = _as(api_client, world.officer_a1).post(
        f"/api/mediations/{m.pk}/files/", {"kind": "agreement", "files": [pdf]}, format="multipart"
    )
    assert uploaded.status_code == 200, uploaded.content
    file_id = uploaded.json()["files"][0]["id"]
    got = _as(api_client, world.center_a).get(f"/api/mediations/{m.pk}/download/?file={file_id}")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert b"".join(got.streaming_content).startswith(b"%PDF")
    hidden = _as(api_client, world.center_b).get(f"/api/mediations/{m.pk}/download/?file={file_id}")
    assert hidden.status_code == 404
