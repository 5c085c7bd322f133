"""The issue's "done when": a village officer runs a week (files a report with two disputes,
mediates one to an agreement, files next week's zero report) and the township sees the monthly
summary with the right success rate. Through the pages, on a clock."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from gridgov.disputes.models import DisputeDetail, Mediation, ScreeningReport
from gridgov.disputes.tests.support import dispute_event, reload
from gridgov.events import services as event_services
from gridgov.events.tests.support import TZ


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_week_of_a_village_officer(autumn):
    world, clock = autumn

    def officer() -> Client:
        # logged in afresh at each moment: the clock jumps past session expiry
        return _client(world.officer_a1)

    # Monday: the weekly screening meeting finds two disputes; the officer reports them.
    clock.set(at(10, 5, 9))
    drain = dispute_event(world, actor=world.officer_a1, days_back=0)
    wages = dispute_event(
        world,
        actor=world.officer_a1,
        days_back=0,
        category_code="dispute-07",
        title="务工人员讨要工资",
        description="某厂十余名务工人员反映被拖欠两个月工资。",
    )
    clock.set(at(10, 5, 16))
    response = officer().post(
        f"/disputes/screening/new/?area={world.village_a1.pk}",
        {"disputes": [drain.pk, wages.pk], "unstable_factors": "工资拖欠可能引发聚集"},
    )
    assert response.status_code == 302, response.content.decode()
    first = ScreeningReport._base_manager.get()
    assert (first.period_start, first.on_time) == (dt.date(2026, 10, 5), True)

    # Tuesday: details, mediation taken up, a session.
    clock.set(at(10, 6, 10))
    response = officer().post(
        f"/disputes/event/{drain.pk}/details/",
        {"subcategory": "0201", "scale": "01", "people_count": 2},
    )
    assert response.status_code == 302
    detail = DisputeDetail._base_manager.get(event=drain)
    response = officer().post(
        f"/disputes/event/{drain.pk}/mediation/",
        {
            "committee": "village",
            "organisation": "甲村人民调解委员会",
            "method": "0103",
            "mediators": [world.mediator_a.pk],
            "started_on": "2026-10-06",
        },
    )
    assert response.status_code == 302
    mediation = Mediation._base_manager.get(dispute=detail)
    assert mediation.norm_due_on == dt.date(2026, 11, 6)
    response = officer().post(
        f"/disputes/mediation/{mediation.pk}/session/",
        {"held_on": "2026-10-06", "attendees": "王某、李某、甲调解", "notes": "双方同意共同疏通"},
    )
    assert response.status_code == 302

    # Thursday: the agreement is signed; the event is settled on the spot in the same step.
    clock.set(at(10, 8, 15))
    response = officer().post(
        f"/disputes/mediation/{mediation.pk}/agree/",
        {
            "version": reload(mediation).version,
            "agreement_form": "written",
            "agreement_text": "双方各承担一半疏通费用,十日内完成。",
            "agreement_on": "2026-10-08",
            "finish_event": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    mediation = reload(mediation)
    assert mediation.state == "succeeded"
    assert mediation.confirmation_due_on == dt.date(2026, 11, 7)
    drain = reload(drain)
    assert drain.state == "verifying"
    # the grid worker verifies on site: the hub closes the case
    event_services.verify_event(drain, actor=world.worker_a1, version=drain.version, passed=True)
    page = officer().get(f"/events/{drain.pk}/").content.decode()
    assert "调解成功,达成协议" in page and "2026-11-07" in page

    # Next week: nothing new, an explicit zero report.
    clock.set(at(10, 12, 16))
    response = officer().post(
        f"/disputes/screening/new/?area={world.village_a1.pk}", {"is_zero": "on"}
    )
    assert response.status_code == 302
    zero = ScreeningReport._base_manager.get(period_start=dt.date(2026, 10, 12))
    assert zero.is_zero and zero.on_time

    # The township's monthly summary for October, seen on 11-02.
    clock.set(at(11, 2, 9))
    page = _client(world.center_a).get(
        f"/disputes/sheet/?area={world.township_a.pk}&kind=month&month=2026-10"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "横街镇矛盾纠纷排查调处月度汇总(2026年10月)" in text
    rate = re.search(r'data-testid="rate-330203101201">([^<]+)<', text).group(1)
    assert rate == "100.00"
    row = re.search(r"<tr><td data-label=\"村\(社区\)\">甲村</td>(.*?)</tr>", text).group(1)
    cells = re.findall(r">([^<]*)</td>", row)
    # due 4 (weeks ending 10-04 … 10-25), filed 2, on time 2, zero 1, missing 2, found 2,
    # registered 2, concluded 1, succeeded 1
    assert cells[:9] == ["4", "2", "2", "1", "2", "2", "2", "1", "1"]
    assert 'data-testid="rate-total">100.00<' in text
