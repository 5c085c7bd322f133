"""Demo petitions for the demo township: a few months of 信访 in every stage, through the services.

Each demo petition carries a client id derived from its number, so a second run finds it and
does nothing. The history is recorded at past moments (`events.services.as_of`), so deadlines,
overdue petitions, answers on time and late, ratings and reviews look like a working 信访 desk.
The same petitioner comes back a few times, so repeats and a key-petitioner candidate show.
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
from gridgov.events import services as events
from gridgov.events.models import Category, Event
from gridgov.petitions import services
from gridgov.petitions.defaults import ensure_matters

KINDS = {"petition": "信访事项", "reception_day": "领导接访日"}
NAMESPACE = uuid.UUID("0b7f2f5e-3c52-4a0e-8a8e-5e3f2b7c9d41")
COUNT = 24

# (matter category code, title, matter, department name)
SAMPLES = [
    (
        "petition-m-labor",
        "反映企业拖欠工资",
        "某五金厂拖欠二十余名工人三个月工资,多次讨要未果。",
        "横街镇人力社保服务中心",
    ),
    (
        "petition-m-land",
        "征地补偿标准异议",
        "对村道拓宽征地补偿标准有异议,要求按新标准补偿。",
        "横街镇信访办",
    ),
    (
        "petition-m-urban",
        "小区加装电梯纠纷",
        "低层住户反对加装电梯,高层住户要求尽快施工。",
        "横街镇信访办",
    ),
    (
        "petition-m-environment",
        "工厂废气扰民",
        "村边塑料厂夜间排放刺激性气味,影响休息。",
        "横街镇生态环境办",
    ),
    ("petition-m-civil", "低保资格复核", "家庭收入下降,申请重新核定低保资格。", "横街镇信访办"),
    (
        "petition-m-law",
        "对派出所处理结果不服",
        "对邻里纠纷的治安处理结果有异议,要求重新处理。",
        "横街派出所",
    ),
    (
        "petition-m-rural",
        "土地承包经营权纠纷",
        "承包地被他人占用种植,要求恢复承包经营。",
        "横街镇信访办",
    ),
]
CHANNELS = [("visit", 40), ("letter", 10), ("online", 35), ("phone", 15)]
# How far each demo petition gets.
PATHS = [
    ("registered", 4),
    ("not_accepted", 2),
    ("accepted", 5),
    ("extended", 2),
    ("replied", 4),
    ("rated", 8),
    ("review_requested", 2),
    ("closed", 3),
]


def seed_demo_petitions(*, seed: int, created: Counter[str], existing: Counter[str]) -> None:
    """The demo township's petitions and reception days, in one transaction."""
    from django.db import transaction

    from gridgov.areas import demo as areas_demo

    ensure_matters()
    with transaction.atomic():
        seed_petitions(
            seed=seed, township_code=areas_demo.TOWNSHIP_CODE, created=created, existing=existing
        )


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def seed_petitions(
    *, seed: int, township_code: str, created: Counter[str], existing: Counter[str]
) -> None:
    """The demo petitions of the township's people; runs in the caller's transaction."""
    from gridgov.registry.models import Person

    with unscoped("demo seed: who and where"):
        center = _user("center")
        leader = _user("leader")
        township = Area.objects.filter(code=township_code).first()
        if not (center and township):
            return
        departments = {d.name: d for d in Department.objects.filter(area=township, is_active=True)}
        matters = {c.code: c for c in Category.objects.filter(code__startswith="petition-m-")}
        people = list(
            Person.objects.filter(area_path__startswith=township.path, status="present").order_by(
                "pk"
            )[:400]
        )
        done = set(
            Event.objects.filter(
                client_id__in=[uuid.uuid5(NAMESPACE, str(i)) for i in range(COUNT)]
            ).values_list("client_id", flat=True)
        )
    if len(people) < 10 or not departments:
        return
    rng = random.Random(f"demo-petitions:{seed}")  # noqa: S311 - demo data, not secrets
    regular = rng.sample(people, 2)  # two people who keep coming back
    now = timezone.now()
    for number in range(COUNT):
        client_id = uuid.uuid5(NAMESPACE, str(number))
        path = rng.choices([p for p, _ in PATHS], weights=[w for _, w in PATHS])[0]
        code, title, matter, department_name = rng.choice(SAMPLES)
        channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
        collective = rng.random() < 0.15
        petitioner = regular[number % 2] if number % 5 == 0 else rng.choice(people)
        days_ago = rng.uniform(3, 120)
        if client_id in done:
            existing["petition"] += 1
            continue
        department = departments.get(department_name) or departments.get("横街镇信访办")
        if department is None or code not in matters:
            continue
        if number % 5 == 0:
            code, title, matter = SAMPLES[number % 2][:3]  # the regulars' own matter
        _play(
            path=path,
            start=now - dt.timedelta(days=days_ago),
            rng=rng,
            client_id=client_id,
            category=matters[code],
            title=title,
            matter=matter,
            channel=channel,
            petitioner=petitioner,
            people_count=rng.randint(5, 30) if collective else None,
            department=department,
            center=center,
            leader=leader,
        )
        created["petition"] += 1
    if leader is not None:
        _reception_days(township, leader, center, people, rng, created, existing)


def _play(
    *,
    path: str,
    start: dt.datetime,
    rng: random.Random,
    client_id: uuid.UUID,
    category: Category,
    title: str,
    matter: str,
    channel: str,
    petitioner: Any,
    people_count: int | None,
    department: Department,
    center: Any,
    leader: Any,
) -> None:
    """Register one petition at `start` and take it along `path`, each step a little later."""
    moment = start
    now = timezone.now()

    def later(days: float) -> dt.datetime:
        nonlocal moment
        moment = min(moment + dt.timedelta(days=days), now - dt.timedelta(minutes=5))
        return moment

    with events.as_of(moment):
        petition = services.register_petition(
            actor=center,
            client_id=client_id,
            petitioners=[petitioner],
            people_count=people_count,
            title=title,
            matter=matter,
            category=category,
            channel=channel,
            department=department,
            received_at=moment,
        )
    if leader is not None and (people_count or rng.random() < 0.15):
        with events.as_of(later(0.5)):
            services.take_case(petition, actor=leader, note="亲自协调,按期化解。")
    if path == "registered":
        return
    accepted = path != "not_accepted"
    with events.as_of(later(rng.uniform(1, 12))):
        petition = services.decide_acceptance(
            petition,
            actor=center,
            version=petition.version,
            accepted=accepted,
            note="" if accepted else "该事项已进入诉讼程序,依法不予受理,已告知信访人。",
        )
    if path in ("not_accepted", "accepted"):
        return
    if path == "extended":
        with events.as_of(later(rng.uniform(30, 50))):
            services.extend_handling(
                petition,
                actor=center,
                version=petition.version,
                value=30,
                reason="涉及多个部门,需联合调查核实。",
            )
        return
    on_time = rng.random() < 0.85
    with events.as_of(later(rng.uniform(10, 55) if on_time else 65)):
        petition = services.reply_petition(
            petition,
            actor=center,
            version=petition.version,
            reply="经调查核实,已协调责任单位依法处理,现书面答复如下:诉求合理部分予以支持。",
        )
    if path == "replied":
        return
    rating = rng.choices(["satisfied", "basically", "dissatisfied"], weights=[65, 25, 10])[0]
    with events.as_of(later(rng.uniform(1, 5))):
        petition = services.rate_petition(
            petition,
            actor=center,
            version=petition.version,
            rating=rating,
            comment="问题未彻底解决" if rating == "dissatisfied" else "",
        )
    if path == "review_requested":
        with events.as_of(later(rng.uniform(1, 10))):
            services.request_review(
                petition, actor=center, version=petition.version, reason="对答复意见不服。"
            )
        return
    if path == "closed" and services.may_close(petition, now - dt.timedelta(minutes=10)):
        with events.as_of(later(31)):
            services.close_petition(petition, actor=center, version=petition.version)


def _reception_days(
    township: Area,
    leader: Any,
    center: Any,
    people: list[Any],
    rng: random.Random,
    created: Counter[str],
    existing: Counter[str],
) -> None:
    """A leader's reception day every other week, the past ones with a reception or two."""
    from gridgov.petitions.models import ReceptionDay

    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    for weeks in (-6, -4, -2, 0, 2):
        day = monday + dt.timedelta(weeks=weeks, days=2)  # Wednesdays
        with unscoped("demo seed: reception day already there"):
            if ReceptionDay.objects.filter(area=township, leader=leader, day=day).exists():
                existing["reception_day"] += 1
                continue
        reception_day = services.schedule_reception_day(
            actor=center,
            area=township,
            leader=leader,
            day=day,
            place="镇矛盾纠纷调处化解中心接待室",
        )
        created["reception_day"] += 1
        if day <= today:
            for person in rng.sample(people, 2):
                services.record_reception(
                    reception_day,
                    actor=leader,
                    person=person,
                    summary="当面听取诉求,责成相关部门一周内答复。",
                )
