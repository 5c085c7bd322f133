"""Synthetic events of a loaded city, as the event services would have written them.

Deterministic for ``(seed, now)`` and the city's ids. Each event is played through the steps of
DESIGN.md's workflow at past moments, the way `gridgov.events.demo` plays its cases through the
services, but written as plain rows for a COPY: the event row with every computed field the
services set (case code from the local report date, ``area_path`` = the grid's path, ``center`` /
``center_path`` = the grid's township, the category's time limit for the priority, ``deadline``
from `gridgov.core.workcalendar.add_duration` at the dispatch, ``warn_at`` a quarter before it,
``version`` one more per saved step), its timeline entries (the same action codes, states and
notes as `gridgov.events.services`), its assignments, requests, supervision records and involved
persons, and what the deadline sweep would have left by ``now`` (``warned`` / ``overdue`` flags,
an "overdue" entry, and for cases overdue longer than the grace an automatic 督办 record).

Three populations (``EventGenerator``):

- ``clock_events(n)``: open events whose clock runs (待签收 / 办理中 / 待核查), the population of
  the deadline sweep. Dispatched so that at ``now`` most deadlines are still ahead and none has
  been overdue longer than the escalation grace (the sweep runs every few minutes, so it would
  already have escalated those); some are yellow, some red within the grace;
- ``waiting_events(n)``: open events before or outside the clock: 待受理 and 待派遣 (the centers'
  queues) and 挂账 (suspended with a granted request);
- ``closed_events(n)``: a year of history: rated, closed, settled on the spot, rejected, merged;
  about 15% of the dispatched ones finished late, with the overdue flags, entries and automatic
  督办 records the sweep would have written.

Not written (nothing the measured pages or the sweep read): audit log entries and inbox
notifications of the history, attachments, the ``merged_in`` entry on a merge target.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from gridgov.core import workcalendar
from gridgov.events import services
from gridgov.events.demo import SAMPLES
from gridgov.registry.services import phone_fields

H = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)

# Who an event of each kind is dispatched to (a department of the township), and the departments
# each township has: (department kind, name suffix).
DEPARTMENTS = (
    ("police", "派出所"),
    ("justice", "司法所"),
    ("enforcement", "综合行政执法中队"),
    ("emergency", "应急管理办公室"),
    ("petition", "信访办"),
    ("civil", "民政办"),
)
LEAD_FOR_KIND = {
    "dispute": "justice",
    "hazard": "emergency",
    "order": "police",
    "petition": "petition",
    "city": "enforcement",
    "service": "civil",
}
# Share of reports per event kind (城市管理 and disputes dominate a Ningbo township's intake).
KIND_WEIGHTS = {"city": 30, "dispute": 25, "hazard": 20, "service": 12, "order": 8, "petition": 5}
SOURCES = (
    ("grid_worker", 70),
    ("citizen", 12),
    ("hotline", 10),
    ("video", 4),
    ("department", 2),
    ("superior", 2),
)
HANDLED_NOTES = (
    "已现场处置,问题解决。",
    "已督促整改到位。",
    "已调解,双方达成一致。",
    "已清理完毕。",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
MOBILE = ("138", "139", "135", "137", "150", "151", "158", "186", "188", "189")


# --- The city, as loaded ------------------------------------------------------------------------


@dataclass
class Department:
    id: int
    name: str
    kind: str
    handler_id: int


@dataclass
class Township:
    id: int
    code: str
    name: str
    path: str
    center_staff_id: int
    departments: dict[str, Department] = field(default_factory=dict)


@dataclass
class Grid:
    id: int
    code: str
    name: str
    path: str
    township: Township
    worker_id: int
    officer_id: int  # the village's 综治专干: verifies what the grid worker settled on the spot
    first_person_id: int = 0
    person_count: int = 0


@dataclass
class CategoryInfo:
    id: int
    code: str
    name: str
    kind_id: int
    kind_code: str
    sla: tuple[int, str]
    urgent_sla: tuple[int, str] | None

    def sla_for(self, priority: str) -> tuple[int, str]:
        if priority == "urgent" and self.urgent_sla:
            return self.urgent_sla
        return self.sla


@dataclass
class City:
    townships: list[Township]
    grids: list[Grid]
    categories: list[CategoryInfo]
    system_id: int


# --- One event being played ---------------------------------------------------------------------


class _Ev:
    """The rows of one event before they get ids."""

    def __init__(self, row: dict[str, Any], grid: Grid) -> None:
        self.row = row
        self.grid = grid
        self.entries: list[dict[str, Any]] = []
        self.assignments: list[dict[str, Any]] = []
        self.parties: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.supervisions: list[dict[str, Any]] = []
        self.states: list[tuple[dt.datetime, str]] = []  # (since, state), in time order

    @property
    def state(self) -> str:
        return self.row["state"]

    def state_at(self, moment: dt.datetime) -> str:
        current = ""
        for since, state in self.states:
            if since <= moment:
                current = state
        return current

    def step(
        self,
        *,
        at: dt.datetime,
        actor: int | None,
        action: str,
        to_state: str | None = None,
        note: str = "",
        save: bool = True,
    ) -> None:
        """A services step: the new state, the version bump of save_changed, the entry."""
        before = self.row["state"] if action != "reported" else ""
        if to_state is not None and to_state != self.row["state"]:
            self.row["state"] = to_state
            self.states.append((at, to_state))
        if save and action != "reported":
            self.row["version"] += 1
        self.row["updated_at"] = max(self.row["updated_at"], at)
        self.entries.append(
            {
                "area_path": self.row["area_path"],
                "actor_id": actor,
                "action": action,
                "from_state": before,
                "to_state": self.row["state"],
                "note": note,
                "at": at,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            }
        )

    def last_moment(self) -> dt.datetime:
        return max(e["at"] for e in self.entries)


class Batch:
    """Rows of a run of events, table by table, ready for COPY (attnames, ids set)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.assignments: list[dict[str, Any]] = []
        self.parties: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.supervisions: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.events)


# --- The generator -------------------------------------------------------------------------------


class EventGenerator:
    def __init__(
        self,
        city: City,
        *,
        seed: int,
        now: dt.datetime,
        first_ids: dict[str, int] | None = None,
    ) -> None:
        self.city = city
        self.now = now
        self.rng = random.Random(f"bench-events:{seed}")
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.next_id = defaultdict(lambda: 1, first_ids or {})
        self.codes: set[str] = set()
        self.grace = dt.timedelta(hours=getattr(settings, "GRIDGOV_EVENT_ESCALATE_AFTER_HOURS", 24))
        self._deadlines: dict[tuple[dt.date, int], dt.datetime] = {}
        self._deadline_checks = 0
        by_kind: dict[str, list[CategoryInfo]] = defaultdict(list)
        for category in city.categories:
            by_kind[category.kind_code].append(category)
        self.kinds = [k for k in KIND_WEIGHTS if by_kind.get(k)]
        self.kind_weights = [KIND_WEIGHTS[k] for k in self.kinds]
        self.by_kind = by_kind
        self.samples: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for code, title, description in SAMPLES:
            self.samples[code].append((title, description))
        self.recent: dict[int, deque[tuple[int, str, dt.datetime]]] = defaultdict(
            lambda: deque(maxlen=64)
        )
        self.counts: dict[str, int] = defaultdict(int)

    # --- Building blocks ----------------------------------------------------------------------

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(hours=self.rng.uniform(low, high))

    def deadline(self, start: dt.datetime, value: int, unit: str) -> dt.datetime:
        """workcalendar.add_duration, remembered for 工作日 (whose result depends only on the
        start's local date, by the module's rules; checked again now and then)."""
        if unit != workcalendar.DurationUnit.WORK_DAYS:
            return workcalendar.add_duration(start, value, unit)
        key = (start.astimezone(self.tz).date(), value)
        known = self._deadlines.get(key)
        if known is None:
            known = self._deadlines[key] = workcalendar.add_duration(start, value, unit)
        else:
            self._deadline_checks += 1
            if self._deadline_checks % 997 == 0:
                assert known == workcalendar.add_duration(start, value, unit), (start, value)
        return known

    def _code(self, reported_at: dt.datetime) -> str:
        stamp = reported_at.astimezone(self.tz).strftime("%Y%m%d")
        alphabet = services._CODE_ALPHABET
        while True:
            code = stamp + "".join(self.rng.choice(alphabet) for _ in range(6))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _category(self) -> CategoryInfo:
        kind = self.rng.choices(self.kinds, weights=self.kind_weights)[0]
        return self.rng.choice(self.by_kind[kind])

    def _text(self, category: CategoryInfo, grid: Grid) -> tuple[str, str]:
        options = self.samples.get(category.code)
        if options:
            title, description = self.rng.choice(options)
        else:
            title = f"{category.name}"
            description = f"网格员巡查发现{category.name}问题,需协调相关部门处置。"
        return title[:100], f"{description}(地点:{grid.name})"

    def _phone(self) -> tuple[str, str, str, str]:
        name = self.rng.choice(SURNAMES) + self.rng.choice(("先生", "女士"))
        number = self.rng.choice(MOBILE) + f"{self.rng.randrange(10**8):08d}"
        return (name, *phone_fields(number))

    def _report(
        self,
        reported_at: dt.datetime,
        *,
        grid: Grid | None = None,
        priority: str | None = None,
        category: CategoryInfo | None = None,
    ) -> _Ev:
        """services.report_event by the grid's worker (or on behalf of a caller)."""
        rng = self.rng
        grid = grid or rng.choice(self.city.grids)
        category = category or self._category()
        priority = priority or ("urgent" if rng.random() < 0.1 else "normal")
        source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
        title, description = self._text(category, grid)
        contact = ("", "", "", "")
        if source in ("citizen", "hotline"):
            contact = self._phone()
        township = grid.township
        row = {
            "code": self._code(reported_at),
            # The phone client sends one; desk entries of calls and transfers have none.
            "client_id": uuid.UUID(int=rng.getrandbits(128), version=4)
            if source == "grid_worker"
            else None,
            "kind_id": category.kind_id,
            "category_id": category.id,
            "title": title,
            "description": description,
            "priority": priority,
            "source": source,
            "occurred_at": reported_at - self.hours(0, 6),
            "grid_id": grid.id,
            "area_path": grid.path,
            "address_id": None,
            "place": grid.name,
            "lat": None,
            "lng": None,
            "reporter_id": grid.worker_id,
            "contact_name": contact[0],
            "contact_phone_token": contact[1],
            "contact_phone_hash": contact[2],
            "contact_phone_masked": contact[3],
            "state": "reported",
            "center_id": township.id,
            "center_path": township.path,
            "escalations": 0,
            "merged_into_id": None,
            "reject_reason": "",
            "self_handled": False,
            "reported_at": reported_at,
            "accepted_at": None,
            "first_dispatched_at": None,
            "dispatched_at": None,
            "sla_value": None,
            "sla_unit": "",
            "deadline": None,
            "warn_at": None,
            "warned": False,
            "overdue": False,
            "overdue_escalated": False,
            "extended": False,
            "suspended_at": None,
            "handled_at": None,
            "handled_by_id": None,
            "closed_at": None,
            "closed_on_time": None,
            "rework_count": 0,
            "return_count": 0,
            "reopen_count": 0,
            "rating": "",
            "rating_comment": "",
            "rated_at": None,
            "supervision": "",
            "supervision_deadline": None,
            "version": 1,
            "created_at": reported_at,
            "updated_at": reported_at,
        }
        ev = _Ev(row, grid)
        ev.category = category  # type: ignore[attr-defined]
        ev.states.append((reported_at, "reported"))
        ev.step(at=reported_at, actor=grid.worker_id, action="reported", note=description[:200])
        if grid.person_count and rng.random() < 0.1:
            person = grid.first_person_id + rng.randrange(grid.person_count)
            ev.parties.append(
                {
                    "area_path": grid.path,
                    "person_id": person,
                    "unit_id": None,
                    "role": "party",
                    "version": 1,
                    "created_at": reported_at,
                    "updated_at": reported_at,
                }
            )
        return ev

    def _accept(self, ev: _Ev, at: dt.datetime) -> None:
        ev.row["accepted_at"] = at
        ev.step(
            at=at, actor=ev.grid.township.center_staff_id, action="accepted", to_state="accepted"
        )

    def _set_clock(self, ev: _Ev, start: dt.datetime) -> None:
        """services._set_clock."""
        value, unit = ev.category.sla_for(ev.row["priority"])  # type: ignore[attr-defined]
        deadline = self.deadline(start, value, unit)
        ev.row.update(
            sla_value=value,
            sla_unit=unit,
            dispatched_at=start,
            first_dispatched_at=ev.row["first_dispatched_at"] or start,
            deadline=deadline,
            warn_at=deadline - (deadline - start) * services.WARN_FRACTION,
            warned=False,
            overdue=False,
            overdue_escalated=False,
        )

    def _lead_department(self, ev: _Ev) -> Department:
        kind = LEAD_FOR_KIND.get(ev.category.kind_code, "civil")  # type: ignore[attr-defined]
        departments = ev.grid.township.departments
        return departments.get(kind) or next(iter(departments.values()))

    def _assignment(self, ev: _Ev, **values: Any) -> dict[str, Any]:
        row = {
            "area_path": ev.row["area_path"],
            "department_id": None,
            "area_id": None,
            "role": "lead",
            "state": "pending",
            "assigned_by_id": ev.grid.township.center_staff_id,
            "assigned_at": None,
            "taken_by_id": None,
            "taken_at": None,
            "finished_at": None,
            "note": "",
            "version": 1,
        }
        row.update(values)
        row["created_at"] = row["assigned_at"]
        row["updated_at"] = row["finished_at"] or row["taken_at"] or row["assigned_at"]
        ev.assignments.append(row)
        return row

    def _dispatch(self, ev: _Ev, at: dt.datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """services.dispatch_event to the kind's department, sometimes with another assisting."""
        self._set_clock(ev, at)
        lead_department = self._lead_department(ev)
        lead = self._assignment(ev, department_id=lead_department.id, assigned_at=at)
        names = lead_department.name
        assists = []
        others = [d for d in ev.grid.township.departments.values() if d.id != lead_department.id]
        if others and self.rng.random() < 0.05:
            other = self.rng.choice(others)
            assists.append(
                self._assignment(ev, department_id=other.id, role="assist", assigned_at=at)
            )
            names += f"、{other.name}(协办)"
        limit = workcalendar.describe(ev.row["sla_value"], ev.row["sla_unit"])
        ev.step(
            at=at,
            actor=ev.grid.township.center_staff_id,
            action="dispatched",
            to_state="dispatched",
            note=f"派遣至{names},时限 {limit}",
        )
        return lead, assists

    def _handle_here(self, ev: _Ev, at: dt.datetime) -> dict[str, Any]:
        """services.handle_here: the center is its own lead, already signed for."""
        self._set_clock(ev, at)
        staff = ev.grid.township.center_staff_id
        lead = self._assignment(
            ev,
            area_id=ev.grid.township.id,
            state="taken",
            assigned_at=at,
            taken_by_id=staff,
            taken_at=at,
        )
        ev.step(at=at, actor=staff, action="handled_here", to_state="in_progress")
        return lead

    def _take(self, ev: _Ev, assignment: dict[str, Any], at: dt.datetime) -> None:
        department = self._department(ev, assignment["department_id"])
        assignment.update(state="taken", taken_by_id=department.handler_id, taken_at=at)
        assignment["updated_at"] = at
        lead = assignment["role"] == "lead"
        ev.step(
            at=at,
            actor=department.handler_id,
            action="taken",
            to_state="in_progress" if lead else None,
            note=f"{department.name}签收" + ("" if lead else "(协办)"),
        )

    def _done(self, ev: _Ev, assignment: dict[str, Any], at: dt.datetime) -> None:
        if assignment["department_id"] is None:  # 自办: the center reports it done
            actor, name = ev.grid.township.center_staff_id, ev.grid.township.name
        else:
            department = self._department(ev, assignment["department_id"])
            actor, name = department.handler_id, department.name
        assignment.update(state="done", finished_at=at)
        assignment["updated_at"] = at
        lead = assignment["role"] == "lead"
        if lead:
            ev.row["handled_at"], ev.row["handled_by_id"] = at, actor
        ev.step(
            at=at,
            actor=actor,
            action="done" if lead else "assist_done",
            to_state="verifying" if lead else None,
            note=f"{name}:{self.rng.choice(HANDLED_NOTES)}",
        )

    def _department(self, ev: _Ev, department_id: int) -> Department:
        for department in ev.grid.township.departments.values():
            if department.id == department_id:
                return department
        raise KeyError(department_id)

    def _verify(self, ev: _Ev, at: dt.datetime, *, actor: int) -> None:
        deadline = ev.row["deadline"]
        ev.row["closed_at"] = at
        ev.row["closed_on_time"] = deadline is None or at <= deadline
        ev.step(at=at, actor=actor, action="verified", to_state="closed")

    def _rate(self, ev: _Ev, at: dt.datetime) -> None:
        rating = self.rng.choices(("satisfied", "basically"), weights=(85, 15))[0]
        ev.row.update(rating=rating, rating_comment="", rated_at=at)
        ev.step(
            at=at,
            actor=ev.grid.worker_id,
            action="rated",
            to_state="rated",
            note="满意" if rating == "satisfied" else "基本满意",
        )

    def _supervise(
        self,
        ev: _Ev,
        at: dt.datetime,
        *,
        level: str,
        by: int,
        note: str,
        automatic: bool,
        state: str | None = None,
    ) -> None:
        """services.supervise_event (the sweep's automatic 督办 too). `state`: the event's state
        at `at`, when the case has moved on since (history)."""
        label = {"remind": "催办", "supervise": "督办", "listed": "挂牌督办"}[level]
        ev.supervisions.append(
            {
                "area_path": ev.row["area_path"],
                "level": level,
                "note": note,
                "deadline": None,
                "by_id": by,
                "at": at,
                "automatic": automatic,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            }
        )
        rank = {"": 0, "remind": 1, "supervise": 2, "listed": 3}
        if rank[level] >= rank[ev.row["supervision"]]:
            ev.row["supervision"] = level
        ev.step(at=at, actor=by, action="supervised", note=f"{label}:{note}")
        if state is not None:
            ev.entries[-1]["from_state"] = ev.entries[-1]["to_state"] = state

    def _sweep_flags(self, ev: _Ev, until: dt.datetime) -> None:
        """What the deadline sweep (every few minutes) left on a case whose clock ran until
        `until` (its closure, or now): yellow and red flags, the overdue entry, and the automatic
        督办 past the grace."""
        deadline, warn_at = ev.row["deadline"], ev.row["warn_at"]
        if deadline is None:
            return
        if warn_at <= until:
            ev.row["warned"] = True
        if deadline > until:
            return
        # The sweep runs every few minutes; a case that stops (or is looked at) in between has
        # been flagged by then, not later.
        second = dt.timedelta(seconds=1)
        flagged = max(deadline, min(deadline + self.hours(0, 5 / 60), until - second))
        ev.row["overdue"] = ev.row["warned"] = True
        state = ev.state_at(flagged)
        ev.entries.append(
            {
                "area_path": ev.row["area_path"],
                "actor_id": None,
                "action": "overdue",
                "from_state": state,
                "to_state": state,
                "note": "已超过办理期限",
                "at": flagged,
                "version": 1,
                "created_at": flagged,
                "updated_at": flagged,
            }
        )
        if deadline + self.grace <= until:
            late = deadline + self.grace
            escalated = max(late, min(late + self.hours(0, 5 / 60), until - second))
            self._supervise(
                ev,
                escalated,
                level="supervise",
                by=self.city.system_id,
                note="超期未办结,系统自动督办并报上级中心",
                automatic=True,
                state=ev.state_at(escalated),
            )
            ev.row["overdue_escalated"] = True

    # --- Populations --------------------------------------------------------------------------

    def _estimate(self, value: int, unit: str) -> dt.timedelta:
        """About how long a time limit lasts on the wall clock (weekends, nights)."""
        if unit == workcalendar.DurationUnit.NATURAL_DAYS:
            return value * DAY
        if unit == workcalendar.DurationUnit.WORK_DAYS:
            return (value * 7 / 5 + 0.5) * DAY
        return dt.timedelta(hours=value / 7 * 24 * 7 / 5)

    def clock_event(self) -> _Ev:
        rng, now = self.rng, self.now
        grid = rng.choice(self.city.grids)
        category = self._category()
        priority = "urgent" if rng.random() < 0.1 else "normal"
        value, unit = category.sla_for(priority)
        # Where in its time limit the case is now: mostly inside, some past the deadline but
        # within the grace (the sweep escalates past it, so none is older than that unescalated).
        fraction = rng.uniform(0.02, 1.15)
        for _ in range(8):
            dispatched = now - self._estimate(value, unit) * fraction
            if self.deadline(dispatched, value, unit) > now - self.grace + 2 * H:
                break
            fraction *= 0.5
        else:
            dispatched = now - self.hours(0.1, 0.5)
        accept_delay, dispatch_delay = self.hours(0.2, 6), self.hours(0.2, 4)
        reported = dispatched - dispatch_delay - accept_delay
        ev = self._report(reported, grid=grid, priority=priority, category=category)
        self._accept(ev, reported + accept_delay)
        latest = now - MINUTE
        if rng.random() < 0.03:
            lead = self._handle_here(ev, dispatched)
        else:
            lead, _ = self._dispatch(ev, dispatched)
            taken = dispatched + self.hours(0.1, 2)
            if rng.random() < 0.82 and taken < latest:
                self._take(ev, lead, taken)
        if ev.state == "in_progress":
            start = lead["taken_at"]
            if rng.random() < 0.19:
                self._done(ev, lead, start + (latest - start) * rng.uniform(0.2, 0.95))
            elif lead["department_id"] and rng.random() < 0.015:
                self._extension_request(ev, start + (latest - start) * rng.uniform(0.3, 0.95))
        if ev.state in ("dispatched", "in_progress") and rng.random() < 0.02:
            at = ev.last_moment() + (latest - ev.last_moment()) * rng.uniform(0.1, 0.9)
            self._supervise(
                ev,
                at,
                level="remind",
                by=ev.grid.township.center_staff_id,
                note="请抓紧办理",
                automatic=False,
            )
        self._sweep_flags(ev, now)
        return ev

    def _extension_request(self, ev: _Ev, at: dt.datetime) -> None:
        reason = "需协调相关部门现场会商,申请延期。"
        ev.requests.append(
            {
                "area_path": ev.row["area_path"],
                "kind": "extension",
                "state": "pending",
                "reason": reason,
                "extra_value": 3,
                "extra_unit": "work_days",
                "requested_by_id": self._lead_department(ev).handler_id,
                "requested_at": at,
                "decided_by_id": None,
                "decided_at": None,
                "decision_note": "",
                "version": 1,
                "created_at": at,
                "updated_at": at,
            }
        )
        ev.step(
            at=at,
            actor=self._lead_department(ev).handler_id,
            action="extension_requested",
            note=f"申请延长 3 工作日:{reason}",
        )

    def waiting_event(self) -> _Ev:
        """待受理 / 待派遣 at a center, or 挂账 after a granted suspension request."""
        rng, now = self.rng, self.now
        r = rng.random()
        if r < 0.5:
            return self._report(now - self.hours(0.05, 36))
        if r < 0.85:
            ev = self._report(now - self.hours(1, 72))
            self._accept(ev, min(ev.row["reported_at"] + self.hours(0.2, 6), now - MINUTE))
            return ev
        # Suspended: dispatched a few days ago, parked before its deadline.
        reported = now - self.hours(48, 24 * 30)
        ev = self._report(reported)
        self._accept(ev, reported + self.hours(0.2, 6))
        lead, _ = self._dispatch(ev, ev.last_moment() + self.hours(0.2, 4))
        self._take(ev, lead, ev.last_moment() + self.hours(0.1, 2))
        end = max(min(ev.row["deadline"], now) - 2 * MINUTE, ev.last_moment() + H)
        asked = ev.last_moment() + (end - ev.last_moment()) * rng.uniform(0.1, 0.6)
        granted = asked + (end - asked) * rng.uniform(0.1, 0.9)
        department = self._lead_department(ev)
        staff = ev.grid.township.center_staff_id
        reason = "涉及多部门,需待规划调整后解决。"
        ev.requests.append(
            {
                "area_path": ev.row["area_path"],
                "kind": "suspension",
                "state": "granted",
                "reason": reason,
                "extra_value": None,
                "extra_unit": "",
                "requested_by_id": department.handler_id,
                "requested_at": asked,
                "decided_by_id": staff,
                "decided_at": granted,
                "decision_note": "",
                "version": 2,
                "created_at": asked,
                "updated_at": granted,
            }
        )
        ev.step(
            at=asked,
            actor=department.handler_id,
            action="suspension_requested",
            note=f"申请挂账:{reason}",
        )
        ev.row["suspended_at"] = granted
        ev.step(
            at=granted,
            actor=staff,
            action="request_granted",
            to_state="suspended",
            note="挂账申请批准",
        )
        self._sweep_flags(ev, granted)
        return ev

    def closed_event(self) -> _Ev:
        """A case of the past year, played to its end (retried earlier if it would end after
        now)."""
        rng, now = self.rng, self.now
        reported = now - self.hours(48, 365 * 24)
        path = rng.choices(
            ("rated", "closed", "settled", "rejected", "merged", "here"),
            weights=(50, 22, 12, 8, 4, 4),
        )[0]
        for _ in range(6):
            ev = self._closed(path, reported)
            if ev.last_moment() < now - MINUTE:
                return ev
            self.codes.discard(ev.row["code"])
            reported -= 45 * DAY
        raise AssertionError("a closed case could not be placed in the past")

    def _closed(self, path: str, reported: dt.datetime) -> _Ev:
        rng = self.rng
        ev = self._report(reported)
        staff = ev.grid.township.center_staff_id
        if path == "rejected":
            ev.row["reject_reason"] = reason = "不属于受理范围,已告知反映人。"
            ev.step(
                at=reported + self.hours(0.5, 8),
                actor=staff,
                action="rejected",
                to_state="rejected",
                note=reason,
            )
            return ev
        if path == "merged":
            township = ev.grid.township.id
            target = next((t for t in reversed(self.recent[township]) if t[2] < reported - H), None)
            if target is None:
                path = "settled"
            else:
                ev.row["merged_into_id"] = target[0]
                ev.step(
                    at=reported + self.hours(0.5, 12),
                    actor=staff,
                    action="merged",
                    to_state="merged",
                    note=f"并入{target[1]}",
                )
                return ev
        if path == "settled":  # services.settle_on_spot, then the village officer verifies
            at = reported + self.hours(0.1, 2)
            ev.row.update(self_handled=True, handled_at=at, handled_by_id=ev.grid.worker_id)
            ev.row["accepted_at"] = at
            ev.step(
                at=at,
                actor=ev.grid.worker_id,
                action="self_handled",
                to_state="verifying",
                note="已现场劝导处理完毕。",
            )
            self._verify(ev, at + self.hours(2, 30), actor=ev.grid.officer_id)
            if rng.random() < 0.5:
                self._rate(ev, ev.row["closed_at"] + self.hours(2, 48))
            return ev
        accepted = reported + self.hours(0.2, 6)
        self._accept(ev, accepted)
        dispatched = accepted + self.hours(0.2, 4)
        if path == "here":
            lead = self._handle_here(ev, dispatched)
            assists: list[dict[str, Any]] = []
            taken = dispatched
        else:
            lead, assists = self._dispatch(ev, dispatched)
            taken = dispatched + self.hours(0.1, 2)
            self._take(ev, lead, taken)
            for assist in assists:
                self._take(ev, assist, taken + self.hours(0.1, 3))
        span = ev.row["deadline"] - dispatched
        on_time = rng.random() < 0.85
        done = taken + span * (rng.uniform(0.15, 0.8) if on_time else rng.uniform(1.02, 1.8))
        done = max(done, taken + self.hours(0.2, 1))
        for assist in assists:
            self._done(ev, assist, taken + (done - taken) * rng.uniform(0.3, 0.9))
        self._done(ev, lead, done)
        self._verify(ev, done + self.hours(1, 12), actor=ev.grid.worker_id)
        self._sweep_flags(ev, ev.row["closed_at"])
        if path == "rated":
            self._rate(ev, ev.row["closed_at"] + self.hours(2, 48))
        return ev

    # --- Output -------------------------------------------------------------------------------

    def _commit(self, ev: _Ev, batch: Batch) -> None:
        event_id = self._id("events")
        ev.row["id"] = event_id
        batch.events.append(ev.row)
        for table, rows in (
            ("entries", ev.entries),
            ("assignments", ev.assignments),
            ("parties", ev.parties),
            ("requests", ev.requests),
            ("supervisions", ev.supervisions),
        ):
            target = getattr(batch, table)
            for row in rows:
                row["id"] = self._id(table)
                row["event_id"] = event_id
                target.append(row)
        self.counts[ev.state] += 1
        self.recent[ev.grid.township.id].append((event_id, ev.row["code"], ev.row["reported_at"]))

    def batches(self, population: str, count: int, size: int = 5000) -> Iterator[Batch]:
        make = {
            "clock": self.clock_event,
            "waiting": self.waiting_event,
            "closed": self.closed_event,
        }[population]
        batch = Batch()
        for _ in range(count):
            self._commit(make(), batch)
            if len(batch) >= size:
                yield batch
                batch = Batch()
        if batch:
            yield batch
