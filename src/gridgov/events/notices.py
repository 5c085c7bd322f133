"""Who hears of what in the event hub: the in-app inbox (and any plugged-in channel) through the
notifications app. Called by the services after their writes, inside the same transaction: the
notifications commit with the step, and the channels send after the commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from gridgov.core.scoping import unscoped
from gridgov.events import selectors
from gridgov.events.models import Event, EventRequest, SupervisionRecord


def _send(users: Iterable[Any], event: Event, kind: str, title: str, body: str = "") -> None:
    from gridgov.notifications.services import notify

    users = [u for u in users if u is not None]
    if not users:
        return
    notify(
        users,
        kind=f"events.{kind}",
        title=title,
        body=body,
        link=reverse("events:detail", args=[event.pk]),
        area_path=event.area_path,
    )


def _label(event: Event) -> str:
    return f"{event.code}“{event.title}”"


def reported(event: Event) -> None:
    _send(
        selectors.center_staff(event.center_path),
        event,
        "reported",
        f"新事件待受理:{_label(event)}",
    )


def copied(event: Event, departments: list[Any]) -> None:
    users = [u for d in departments for u in selectors.department_handlers(d.pk)]
    _send(users, event, "copied", f"抄告:{_label(event)}")


def dispatched(event: Event) -> None:
    _send(selectors.assignees(event), event, "dispatched", f"新派遣事件待签收:{_label(event)}")


def returned(event: Event, reason: str) -> None:
    _send(
        selectors.center_staff(event.center_path),
        event,
        "returned",
        f"事件被退回,请重新派遣:{_label(event)}",
        reason,
    )


def to_verify(event: Event) -> None:
    users = selectors.grid_workers(event.area_path) + selectors.village_officers(event.area_path)
    with unscoped("reporter of the event"):
        reporter = event.reporter
    users = [*users, reporter] if reporter.pk != event.handled_by_id else users
    users = [u for u in users if u.pk != event.handled_by_id]
    _send(users, event, "verify", f"事件已办结,待核查:{_label(event)}")


def to_reporter(event: Event, title: str) -> None:
    with unscoped("reporter of the event"):
        reporter = event.reporter
    _send([reporter], event, "reporter", title)


def closed(event: Event) -> None:
    to_reporter(event, f"您上报的事件已结案,请评价:{_label(event)}")


def rework(event: Event, reason: str) -> None:
    _send(selectors.assignees(event), event, "rework", f"事件需返工:{_label(event)}", reason)


def settling_failed(event: Event, reason: str) -> None:
    """A case settled on the spot failed its check: it is the center's to dispatch now."""
    _send(
        selectors.center_staff(event.center_path),
        event,
        "settling_failed",
        f"自行处置核查未通过,请派遣:{_label(event)}",
        reason,
    )


def resumed(event: Event) -> None:
    _send(selectors.assignees(event), event, "resumed", f"挂账事件恢复办理:{_label(event)}")


def request_made(event: Event, request: EventRequest) -> None:
    _send(
        selectors.center_staff(event.center_path),
        event,
        "request",
        f"{request.get_kind_display()}待审批:{_label(event)}",
        request.reason,
    )


def request_decided(event: Event, request: EventRequest) -> None:
    with unscoped("requester"):
        requester = request.requested_by
    _send(
        [requester],
        event,
        "request_decided",
        f"{request.get_kind_display()}{request.get_state_display()}:{_label(event)}",
        request.decision_note,
    )


def supervised(event: Event, record: SupervisionRecord) -> None:
    users = selectors.assignees(event) + selectors.center_staff(event.center_path)
    if record.automatic:
        parent = event.center_path.rstrip("/").rsplit("/", 1)[0] + "/"
        users += selectors.center_staff(parent) + selectors.leaders_over(event.center_path)
    _send(users, event, "supervised", f"{record.get_level_display()}:{_label(event)}", record.note)


def deadline_sweep(*, warned: Any, overdue: Any, escalated: Any) -> None:
    """One digest per person and run ("您有 3 件事件已超期"), not one notice per event: a first
    sweep over a big backlog may mark thousands at once. The three querysets are the events the
    run has just marked; who gets what is counted by the database."""
    from collections import Counter

    from django.db.models import Count

    from gridgov.events.choices import ASSIGNMENT_OPEN
    from gridgov.events.models import Assignment
    from gridgov.notifications.services import notify

    for events, kind, what, light in (
        (warned, "warning", "临近办理期限", "yellow"),
        (overdue, "overdue", "已超期", "red"),
        (escalated, "escalated", "超期未办结,已被系统自动督办", "red"),
    ):
        counts: Counter[Any] = Counter()
        with unscoped("deadline sweep notices"):
            targets = (
                Assignment.objects.filter(event__in=events, state__in=ASSIGNMENT_OPEN)
                .values_list("department_id", "area__path")
                .annotate(n=Count("pk"))
                .order_by()
            )
            centers = events.values_list("center_path").annotate(n=Count("pk")).order_by()
            for department_id, area_path, n in targets:
                users = (
                    selectors.department_handlers(department_id)
                    if department_id
                    else selectors.area_handlers(area_path)
                )
                for user in users:
                    counts[user] += n
            for center_path, n in centers if kind != "warning" else ():
                above = center_path.rstrip("/").rsplit("/", 1)[0] + "/"
                users = selectors.center_staff(center_path)
                if kind == "escalated":
                    users += selectors.center_staff(above) + selectors.leaders_over(center_path)
                for user in users:
                    counts[user] += n
        for user, n in counts.items():
            notify(
                [user],
                kind=f"events.{kind}",
                title=f"您有 {n} 件事件{what}",
                link=reverse("events:list") + f"?light={light}",
            )
