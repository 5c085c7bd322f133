"""Demo disputes for the demo officer's village: two months of weekly screening reports (one
late, one missing, zero reports between), six disputes with their details, mediation at every
stage (an agreement with judicial confirmation and a follow-up visit, a failure, open ones), and
two major disputes on the supervised list, one crossed off. All through the services, recorded at
past moments (`services.as_of`).

Each dispute event carries a client id derived from its number, so a second run finds it and
does nothing; a report already filed for a week is left as it is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

from django.utils import timezone

from gridgov.accounts.models import Membership, User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, GridAssignment
from gridgov.core.scoping import unscoped
from gridgov.disputes import periods, services
from gridgov.disputes.models import ScreeningReport
from gridgov.events import services as event_services
from gridgov.events.models import Category, Event

KINDS = {"dispute": "矛盾纠纷(详情与调解)", "screening_report": "矛盾纠纷排查报告"}
NAMESPACE = uuid.UUID("3d1e8a40-5b7c-4f0e-9a2d-7c6b5e4f3a21")
WEEKS = 8

# number, weeks ago, category code, subcategory, title, description, extra details, story
SAMPLES: list[tuple[int, int, str, str, str, str, dict[str, Any], str]] = [
    (
        0,
        7,
        "dispute-02",
        "0201",
        "屋后排水沟堵塞引发邻里争执",
        "两户村民因屋后排水沟堵塞、污水外溢多次争吵。",
        {"people_count": 2},
        "agreed",
    ),
    (
        1,
        6,
        "dispute-07",
        "0701",
        "务工人员讨要拖欠工资",
        "某五金厂十二名务工人员反映被拖欠两个月工资,扬言集体上访。",
        {
            "people_count": 12,
            "scale": "02",
            "risk_collective": True,
            "risk_skip_petition": True,
            "risk_level": "orange",
            "is_major": True,
            "amount": "186000",
        },
        "listed",
    ),
    (
        2,
        5,
        "dispute-06",
        "0602",
        "退租押金纠纷",
        "租客退租后房东拒不退还押金,双方各执一词。",
        {"amount": "3000"},
        "failed",
    ),
    (
        3,
        4,
        "dispute-09",
        "0902",
        "宅基地边界争议",
        "两户村民对宅基地边界存在争议,曾发生推搡。",
        {"is_major": True, "risk_extreme": True, "risk_level": "red"},
        "crossed_off",
    ),
    (
        4,
        2,
        "dispute-01",
        "0102",
        "赡养老人费用分担纠纷",
        "三兄弟对老人赡养费用分担有争议。",
        {"people_count": 4},
        "recorded",
    ),
    (
        5,
        1,
        "dispute-02",
        "0201",
        "楼上漏水引发邻里矛盾",
        "楼上住户卫生间漏水至楼下,双方协商不成。",
        {},
        "mediating",
    ),
]


def seed_demo_disputes(*, seed: int, created: Counter[str], existing: Counter[str]) -> None:
    """The demo village's disputes and screening reports, in one transaction."""
    from django.db import transaction

    with transaction.atomic():
        seed_disputes(created=created, existing=existing)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def seed_disputes(*, created: Counter[str], existing: Counter[str]) -> None:
    """Runs in the caller's transaction; does nothing without the demo officer's village."""
    with unscoped("demo seed: who and where"):
        officer, leader, mediator = _user("officer"), _user("leader"), _user("mediator")
        membership = (
            Membership._base_manager.filter(user=officer, role=Role.VILLAGE_OFFICER).first()
            if officer
            else None
        )
        if not (officer and leader and mediator and membership):
            return
        village = Area.objects.get(pk=membership.area_id)
        assignment = (
            GridAssignment.objects.filter(
                grid__path__startswith=village.path, ended_at__isnull=True
            )
            .select_related("grid", "user")
            .order_by("grid__path")
            .first()
        )
        if assignment is None:
            return
        categories = {c.code: c for c in Category.objects.select_related("kind")}
        done = set(
            Event.objects.filter(
                client_id__in=[uuid.uuid5(NAMESPACE, str(n)) for n, *_ in SAMPLES]
            ).values_list("client_id", flat=True)
        )
    now = timezone.now()
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    found: dict[int, list[Event]] = {}
    for number, weeks_ago, code, sub, title, description, extra, story in SAMPLES:
        client_id = uuid.uuid5(NAMESPACE, str(number))
        if client_id in done or code not in categories:
            existing["dispute"] += client_id in done
            continue
        reported = _moment(monday - dt.timedelta(weeks=weeks_ago), days=1, hour=10)
        event = _play(
            story=story,
            reported=reported,
            now=now,
            client_id=client_id,
            category=categories[code],
            subcategory=sub,
            title=title,
            description=description,
            extra=extra,
            grid=assignment.grid,
            worker=assignment.user,
            officer=officer,
            leader=leader,
            mediator=mediator,
        )
        found.setdefault(weeks_ago, []).append(event)
        created["dispute"] += 1
    _reports(village, officer, monday, found, created=created, existing=existing)


def _moment(day: dt.date, *, days: int = 0, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour)),
        timezone.get_default_timezone(),
    )


def _play(
    *,
    story: str,
    reported: dt.datetime,
    now: dt.datetime,
    client_id: uuid.UUID,
    category: Category,
    subcategory: str,
    title: str,
    description: str,
    extra: dict[str, Any],
    grid: Area,
    worker: Any,
    officer: Any,
    leader: Any,
    mediator: Any,
) -> Event:
    moment = reported

    def later(days: float) -> dt.datetime:
        nonlocal moment
        moment = min(moment + dt.timedelta(days=days), now - dt.timedelta(minutes=5))
        return moment

    with services.as_of(moment):
        event = event_services.report_event(
            actor=worker,
            client_id=client_id,
            category=category,
            title=title,
            description=description,
            grid=grid,
            occurred_at=moment - dt.timedelta(hours=3),
        )
    with services.as_of(later(0.2)):
        details = {"scale": "01", "people_count": 2, **extra}
        detail = services.record_dispute(
            event, actor=officer, subcategory=subcategory, owner=officer, **details
        )
    if story == "recorded":
        return event
    listing = None
    if story in ("listed", "crossed_off"):
        with services.as_of(later(0.5)):
            listing = services.list_major(
                detail,
                actor=leader,
                owner=officer,
                target_on=services.today() + dt.timedelta(days=30),
                reason="涉及人数多、情绪激烈,领导包案,限期化解。",
            )
    committee, organisation, method, linkage = (
        ("township", "横街镇人民调解委员会", "0102", "petition")
        if story == "listed"
        else ("village", "村人民调解委员会", "0103", "")
    )
    with services.as_of(later(1)):
        mediation = services.start_mediation(
            detail,
            actor=officer,
            committee=committee,
            organisation=organisation,
            method=method,
            linkage=linkage,
            mediators=[mediator],
            started_on=services.today(),
        )
    with services.as_of(later(2)):
        services.record_session(
            mediation,
            actor=mediator,
            held_on=services.today(),
            attendees="双方当事人、调解员",
            notes="听取双方陈述,释法明理,双方同意继续协商。",
        )
    if story in ("mediating", "listed"):
        return event
    mediation = _fresh(mediation)
    if story == "failed":
        with services.as_of(later(6)):
            services.record_failure(
                mediation,
                actor=officer,
                version=mediation.version,
                failure_route="litigation",
                note="房东拒绝调解,已告知租客可向人民法院起诉。",
            )
        return event
    with services.as_of(later(5)):
        written = story == "agreed"
        mediation = services.conclude_agreement(
            mediation,
            actor=officer,
            version=mediation.version,
            agreement_form="written" if written else "oral",
            agreement_text="双方共同出资疏通排水沟,各承担一半费用,十日内完成。"
            if written
            else "双方确认以原界桩为界,互不越界耕种。",
            finish_event=True,
        )
    event = _fresh(event)
    with services.as_of(later(1)):
        event_services.verify_event(event, actor=worker, version=event.version, passed=True)
    if written:
        with services.as_of(later(4)):
            mediation = services.record_confirmation(
                mediation,
                actor=officer,
                version=mediation.version,
                requested_on=services.today(),
                court="海曙区人民法院",
            )
        with services.as_of(later(7)):
            mediation = services.record_confirmation(
                mediation,
                actor=officer,
                version=mediation.version,
                requested_on=mediation.confirmation_requested_on,
                court="海曙区人民法院",
                result="confirmed",
                decided_on=services.today(),
            )
    with services.as_of(later(10)):
        services.record_visit(
            mediation,
            actor=officer,
            visited_on=services.today(),
            way="home",
            performance="performed",
            notes="协议已履行,双方关系缓和。",
        )
    if listing is not None:
        listing = _fresh(listing)
        with services.as_of(later(1)):
            services.cross_off(
                listing,
                actor=leader,
                version=listing.version,
                resolved_on=services.today(),
                note="现场核实,协议已履行,同意销号。",
            )
    return event


def _fresh(obj: Any) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


def _reports(
    village: Area,
    officer: Any,
    monday: dt.date,
    found: dict[int, list[Event]],
    *,
    created: Counter[str],
    existing: Counter[str],
) -> None:
    """One report per past week: the week's disputes, else a zero report; the report of three
    weeks ago is missing and that of five weeks ago was filed late."""
    kind = services.policy_period(village)
    for weeks_ago in range(WEEKS, 0, -1):
        window = periods.window_containing(kind, monday - dt.timedelta(weeks=weeks_ago))
        with unscoped("demo seed: filed already"):
            if ScreeningReport.objects.filter(area=village, period_start=window.start).exists():
                existing["screening_report"] += 1
                continue
        if weeks_ago == 3:
            continue  # the missing report the check warns about
        filed = _moment(window.end, days=3 if weeks_ago == 5 else 0, hour=16)
        events = found.get(weeks_ago, [])
        with services.as_of(filed):
            services.file_screening_report(
                actor=officer,
                area=village,
                day=window.start,
                is_zero=not events,
                disputes=events,
                unstable_factors="工资拖欠可能引发聚集,已报镇综治中心。" if weeks_ago == 6 else "",
            )
        created["screening_report"] += 1
