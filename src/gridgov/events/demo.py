"""Demo events for the demo township: a few weeks of cases in every state, through the services.

Each demo event carries a client id derived from its number, so a second run finds it and does
nothing (the intake is idempotent on client ids). The history is recorded at past moments
(`services.as_of`), so deadlines, overdue cases and on-time closures look like a working center.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from typing import Any

from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area
from gridgov.core.scoping import unscoped
from gridgov.events import services
from gridgov.events.models import Category, Event

KINDS = {"event": "事件"}
NAMESPACE = uuid.UUID("6f1c1a52-7d7e-4d5e-9a51-3c1f8f0e2a10")
COUNT = 72

# (category code, title, description) — what grid workers of a Ningbo township report.
SAMPLES = [
    ("hazard-fire", "楼道堆放杂物堵塞消防通道", "单元楼道内堆放纸箱和旧家具,堵塞消防通道。"),
    ("hazard-fire", "电动车楼道内充电", "居民将电动自行车推入楼道充电,存在火灾隐患。"),
    ("hazard-gas", "餐饮店燃气软管老化", "沿街小吃店燃气软管老化开裂,未安装报警器。"),
    ("hazard-building", "老旧民房外墙开裂", "村内一处老旧民房外墙出现明显裂缝,有坠落风险。"),
    ("hazard-flood", "河道护栏缺失", "河边步道护栏缺失约十米,台风季存在落水风险。"),
    ("dispute-02", "邻里因排水问题发生争执", "两户村民因屋后排水沟堵塞、污水外溢发生争吵。"),
    ("dispute-02", "楼上漏水引发邻里矛盾", "楼上住户卫生间漏水至楼下,双方协商不成。"),
    ("dispute-07", "务工人员讨要工资", "某厂十余名务工人员反映被拖欠两个月工资。"),
    ("dispute-06", "房屋租赁押金纠纷", "租客退租后房东拒不退还押金,双方各执一词。"),
    ("dispute-09", "宅基地边界争议", "两户村民对宅基地边界存在争议,曾发生推搡。"),
    ("city-garbage", "路边暴露垃圾", "村口路边有成堆生活垃圾未及时清运。"),
    ("city-street", "占道经营", "早市摊贩占用人行道经营,影响通行。"),
    ("city-facility", "路灯损坏", "主干道路灯连续多晚不亮。"),
    ("city-construction", "私搭乱建", "一户居民在院外违规搭建彩钢棚。"),
    ("order-spot", "夜间聚集喧哗", "小区广场夜间有人聚集饮酒喧哗,居民多次反映。"),
    ("order-theft", "电动车电瓶被盗", "近期多户居民反映电动车电瓶被盗。"),
    ("service-relief", "独居老人生活困难", "独居老人行动不便,希望得到生活照料帮扶。"),
    ("service-consult", "咨询居住证办理", "新来务工人员咨询居住证办理流程。"),
    ("petition-group", "拆迁补偿群体反映苗头", "部分拆迁户对补偿标准不满,有集体上访苗头。"),
]

# How far each demo case gets: weights of the final steps.
PATHS = [
    ("reported", 10),
    ("accepted", 8),
    ("dispatched", 10),
    ("in_progress", 14),
    ("verifying", 8),
    ("closed", 12),
    ("rated", 22),
    ("self_handled", 8),
    ("rejected", 3),
    ("suspended", 2),
    ("overdue", 8),
]


def seed_demo_events(*, seed: int, created: Counter[str], existing: Counter[str]) -> None:
    """The demo township's events in one transaction, then one deadline sweep so the lamps and
    the overdue flags are what the worker would have left."""
    from django.db import transaction

    from gridgov.areas import demo as areas_demo

    with transaction.atomic():
        seed_events(
            seed=seed,
            township_code=areas_demo.TOWNSHIP_CODE,
            created=created,
            existing=existing,
        )
    services.sweep_deadlines()


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def seed_events(
    *, seed: int, township_code: str, created: Counter[str], existing: Counter[str]
) -> None:
    """The demo cases of the township's real grids; runs in the caller's transaction."""
    from gridgov.areas.choices import GridKind, Level

    with unscoped("demo seed: who and where"):
        center = _user("center")
        handler = _user("handler")
        leader = _user("leader")
        township = Area.objects.filter(code=township_code).first()
        if not (center and handler and township):
            return
        grids = list(
            Area.objects.filter(
                level=Level.GRID, path__startswith=township.path, grid_kind=GridKind.REAL
            ).order_by("path")
        )
        departments = {d.name: d for d in Department.objects.filter(area=township)}
        categories = {c.code: c for c in Category.objects.select_related("kind")}
        from gridgov.areas.models import GridAssignment

        workers = {
            a.grid_id: a.user
            for a in GridAssignment.objects.filter(grid__in=grids, ended_at__isnull=True)
            .select_related("user")
            .order_by("pk")
        }
        done = set(
            Event.objects.filter(
                client_id__in=[uuid.uuid5(NAMESPACE, str(i)) for i in range(COUNT)]
            ).values_list("client_id", flat=True)
        )
    police = departments.get("横街派出所")
    if not grids or police is None:
        return
    rng = random.Random(f"demo-events:{seed}")  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    for number in range(COUNT):
        client_id = uuid.uuid5(NAMESPACE, str(number))
        path = rng.choices([p for p, _ in PATHS], weights=[w for _, w in PATHS])[0]
        code, title, description = rng.choice(SAMPLES)
        grid = rng.choice(grids)
        days_ago = rng.uniform(0.2, 40)
        if client_id in done:
            existing["event"] += 1
            continue
        worker = workers.get(grid.pk)
        if worker is None or code not in categories:
            continue
        _play(
            path=path,
            start=now - dt.timedelta(days=days_ago),
            rng=rng,
            client_id=client_id,
            category=categories[code],
            title=title,
            description=description,
            grid=grid,
            worker=worker,
            center=center,
            handler=handler,
            leader=leader,
            police=police,
            departments=list(departments.values()),
        )
        created["event"] += 1


def _play(
    *,
    path: str,
    start: dt.datetime,
    rng: random.Random,
    client_id: uuid.UUID,
    category: Category,
    title: str,
    description: str,
    grid: Area,
    worker: Any,
    center: Any,
    handler: Any,
    leader: Any,
    police: Department,
    departments: list[Department],
) -> None:
    """Report one case at `start` and take it along `path`, each step a little later."""
    moment = start
    now = timezone.now()

    def later(hours: float) -> dt.datetime:
        nonlocal moment
        moment = min(moment + dt.timedelta(hours=hours), now - dt.timedelta(minutes=5))
        return moment

    lat = lng = None
    if grid.min_lat is not None:
        lat = rng.uniform(grid.min_lat, grid.max_lat)
        lng = rng.uniform(grid.min_lng, grid.max_lng)
    with services.as_of(moment):
        event = services.report_event(
            actor=worker,
            client_id=client_id,
            category=category,
            title=title,
            description=description,
            grid=grid,
            lat=lat,
            lng=lng,
            priority="urgent" if rng.random() < 0.12 else "normal",
            occurred_at=moment - dt.timedelta(hours=rng.uniform(0, 6)),
            settled_note="已现场劝导处理完毕。" if path == "self_handled" else "",
        )
    if path in ("reported", "self_handled"):
        officer = _user("officer")
        if path == "self_handled" and officer and services.may_verify(officer, event):
            with services.as_of(later(rng.uniform(2, 30))):
                services.verify_event(event, actor=officer, version=event.version, passed=True)
        return
    if path == "rejected":
        with services.as_of(later(rng.uniform(0.5, 8))):
            services.reject_event(
                event, actor=center, version=event.version, reason="不属于受理范围,已告知反映人。"
            )
        return
    with services.as_of(later(rng.uniform(0.5, 6))):
        event = services.accept_event(event, actor=center, version=event.version)
    if path == "accepted":
        return
    # Cases that go further are the demo handler's (the police station), so its queue is real.
    lead = rng.choice(departments) if path == "dispatched" else police
    with services.as_of(later(rng.uniform(0.5, 4))):
        event = services.dispatch_event(event, actor=center, version=event.version, department=lead)
    if path == "dispatched":
        return
    overdue = path == "overdue"
    span = (event.deadline - event.dispatched_at).total_seconds() / 3600
    with services.as_of(later(rng.uniform(0.2, 2))):
        event = services.take_event(event, actor=handler, version=event.version)
    if path in ("in_progress", "overdue"):
        if overdue and leader is not None and rng.random() < 0.5:
            with services.as_of(later(1)):
                services.supervise_event(
                    event, actor=leader, level="supervise", note="请加快办理,按期反馈。"
                )
        return
    if path == "suspended":
        with services.as_of(later(4)):
            request = services.request_suspension(
                event,
                actor=handler,
                version=event.version,
                reason="涉及多部门,需待规划调整后解决。",
            )
        with services.as_of(later(2)):
            services.decide_request(request, actor=center, version=request.version, grant=True)
        return
    on_time = rng.random() < 0.85
    with services.as_of(later(span * (rng.uniform(0.2, 0.8) if on_time else 1.3))):
        event = services.report_done(
            event, actor=handler, version=event.version, note="已现场处置,问题解决。"
        )
    if path == "verifying":
        return
    with services.as_of(later(rng.uniform(1, 12))):
        event = services.verify_event(event, actor=worker, version=event.version, passed=True)
    if path == "rated":
        rating = rng.choices(["satisfied", "basically", "dissatisfied"], weights=[80, 15, 5])[0]
        with services.as_of(later(rng.uniform(2, 48))):
            services.rate_event(
                event,
                actor=worker,
                version=event.version,
                rating=rating,
                comment="处理不彻底" if rating == "dissatisfied" else "",
            )
