"""The figures of the petitions module (信访统计), registered with `gridgov.metrics.figures`.

Every count is one queryset function: the user's visible petitions (`petitions.view`), kept to
the area's subtree (the petitioner's grid lies in it), filtered by one condition on the period,
so a number and its list always agree. Formulas are written out in docs/metrics.md. 办结 here is
the written answer (书面答复) that ends the handling stage, whose legal limit (60 日, extendable
once) is `handle_due`; DOMAIN.md §5.4 gives the shape of 办结率, 及时率, 满意率 and 参评率.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gridgov.metrics.figures import (
    Count,
    Dimension,
    Group,
    Period,
    Rate,
    register,
    register_group,
    within,
)
from gridgov.petitions.choices import Channel, Rating
from gridgov.petitions.models import Petition

LOCAL = "gridgov"


def petitions(user: Any, area: Any) -> QuerySet[Petition]:
    """The petitions `user` may see whose petitioner's grid lies in `area` or below."""
    return within(Petition.objects.for_user(user, "petitions.view"), area)


def received(user: Any, area: Any, period: Period) -> QuerySet:
    return petitions(user, area).filter(period.q("received_at"))


def online(user: Any, area: Any, period: Period) -> QuerySet:
    return received(user, area, period).filter(channel=Channel.ONLINE)


def repeat(user: Any, area: Any, period: Period) -> QuerySet:
    return received(user, area, period).filter(repeat=True)


def skip_level(user: Any, area: Any, period: Period) -> QuerySet:
    return received(user, area, period).filter(skip_level=True)


def collective(user: Any, area: Any, period: Period) -> QuerySet:
    return received(user, area, period).filter(collective=True)


def accepted(user: Any, area: Any, period: Period) -> QuerySet:
    return petitions(user, area).filter(period.q("accepted_at"))


def due(user: Any, area: Any, period: Period) -> QuerySet:
    # Answered in the period, or its handling limit fell in the part of the period already past
    # and it was not answered before the period began (as the hub's 应结案数).
    return petitions(user, area).filter(
        period.q("replied_at") | (period.passed_q("handle_due") & ~Q(replied_at__lt=period.since))
    )


def replied(user: Any, area: Any, period: Period) -> QuerySet:
    return petitions(user, area).filter(period.q("replied_at"))


def replied_on_time(user: Any, area: Any, period: Period) -> QuerySet:
    return replied(user, area, period).filter(replied_on_time=True)


def rated(user: Any, area: Any, period: Period) -> QuerySet:
    return petitions(user, area).filter(period.q("rated_at")).exclude(rating="")


def satisfied(user: Any, area: Any, period: Period) -> QuerySet:
    return rated(user, area, period).filter(rating__in=[Rating.SATISFIED, Rating.BASICALLY])


def rated_replied(user: Any, area: Any, period: Period) -> QuerySet:
    return replied(user, area, period).exclude(rating="")


def _prepare_list(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("event", "event__category", "department").order_by(
        "-received_at", "-pk"
    )


def _export_columns(model: type) -> list[tuple[str, Any]]:
    """The columns of an exported list of petitions (no petitioner's name or number)."""
    return [
        ("案件编码", lambda p: p.event.code),
        ("标题", lambda p: p.event.title),
        ("内容分类", lambda p: p.event.category.name),
        ("信访形式", lambda p: p.get_channel_display()),
        ("集体访", lambda p: p.collective),
        ("重复访", lambda p: p.repeat),
        ("越级访", lambda p: p.skip_level),
        ("责任单位", lambda p: p.department.name),
        ("阶段", lambda p: p.get_stage_display()),
        ("收到时间", lambda p: p.received_at),
        ("答复时间", lambda p: p.replied_at),
        ("按期答复", lambda p: p.replied_on_time),
        ("评价", lambda p: p.get_rating_display()),
    ]


GROUP = Group(
    code="petitions",
    title="信访统计",
    action="petitions.view",
    list_template="petitions/_petition_table.html",
    breakdown=(
        "petitions.received",
        "petitions.due",
        "petitions.replied",
        "petitions.completion_rate",
        "petitions.timely_rate",
        "petitions.satisfaction_rate",
        "petitions.repeat_rate",
        "petitions.skip_level_rate",
    ),
    sort_by="petitions.completion_rate",
    layout=(
        (
            "核心指标",
            (
                "petitions.completion_rate",
                "petitions.timely_rate",
                "petitions.satisfaction_rate",
                "petitions.rating_rate",
            ),
        ),
        (
            "信访结构",
            (
                "petitions.online_share",
                "petitions.repeat_rate",
                "petitions.skip_level_rate",
                "petitions.collective_rate",
            ),
        ),
        (
            "信访量",
            (
                "petitions.received",
                "petitions.online",
                "petitions.repeat",
                "petitions.skip_level",
                "petitions.collective",
                "petitions.accepted",
            ),
        ),
        ("办结", ("petitions.due", "petitions.replied", "petitions.replied_on_time")),
        ("评价", ("petitions.rated", "petitions.satisfied", "petitions.rated_replied")),
    ),
    prepare_list=_prepare_list,
    key=(
        "petitions.received",
        "petitions.completion_rate",
        "petitions.timely_rate",
        "petitions.satisfaction_rate",
        "petitions.repeat_rate",
    ),
    dimensions=(
        Dimension(
            code="matter",
            label="内容分类",
            field="event__category",
            name_field="event__category__name",
        ),
        Dimension(code="channel", label="信访形式", field="channel"),
    ),
    export_columns=_export_columns,
)

FIGURES = [
    Count(
        code="petitions.received",
        label="信访总量",
        records=received,
        source=LOCAL,
        formula="统计期内收到(登记)的信访事项件数,含不予受理的。",
    ),
    Count(
        code="petitions.online",
        label="网上信访量",
        records=online,
        source=LOCAL,
        formula="信访总量中信访形式为网上信访的件数。",
    ),
    Count(
        code="petitions.repeat",
        label="重复访量",
        better="down",
        records=repeat,
        source=LOCAL,
        formula="信访总量中的重复访:信访人之一在此前重复访期间内就同一内容分类信访过的件数。",
    ),
    Count(
        code="petitions.skip_level",
        label="越级访量",
        better="down",
        records=skip_level,
        source=LOCAL,
        formula="信访总量中在高于属地层级(默认乡镇街道)的机关登记的件数。",
    ),
    Count(
        code="petitions.collective",
        label="集体访量",
        better="down",
        records=collective,
        source=LOCAL,
        formula="信访总量中信访人数达到集体访标准(默认 5 人)的件数(按件计,不按人次)。",
    ),
    Count(
        code="petitions.accepted",
        label="受理量",
        records=accepted,
        source=LOCAL,
        formula="统计期内告知受理的信访事项件数。",
    ),
    Count(
        code="petitions.due",
        label="应办结数",
        records=due,
        source=LOCAL,
        formula=(
            "统计期内书面答复的信访事项,加上办理期限(含延期)在统计期内且已届满、"
            "统计期开始前尚未答复的信访事项(每件计一次)。"
        ),
    ),
    Count(
        code="petitions.replied",
        label="办结数",
        better="up",
        records=replied,
        source=LOCAL,
        formula="统计期内出具书面答复意见的信访事项件数。",
    ),
    Count(
        code="petitions.replied_on_time",
        label="按期办结数",
        better="up",
        records=replied_on_time,
        source=LOCAL,
        formula="办结数中在办理期限(含批准的延期)内答复的件数。",
    ),
    Count(
        code="petitions.rated",
        label="参评数",
        records=rated,
        source=LOCAL,
        formula="统计期内信访人作出评价的件数;以最近一次评价为准。",
    ),
    Count(
        code="petitions.satisfied",
        label="满意数",
        better="up",
        records=satisfied,
        source=LOCAL,
        formula="参评数中评价为满意或基本满意的件数。",
    ),
    Count(
        code="petitions.rated_replied",
        label="已评价办结数",
        records=rated_replied,
        source=LOCAL,
        formula="办结数中信访人已作出评价的件数。",
    ),
    Rate(
        code="petitions.completion_rate",
        label="办结率",
        better="up",
        numerator="petitions.replied",
        denominator="petitions.due",
        source=LOCAL,
        formula="办结率 = 办结数 ÷ 应办结数 × 100%。",
    ),
    Rate(
        code="petitions.timely_rate",
        label="及时率",
        better="up",
        numerator="petitions.replied_on_time",
        denominator="petitions.due",
        source=LOCAL,
        formula="及时率(按期办结率)= 按期办结数 ÷ 应办结数 × 100%。",
    ),
    Rate(
        code="petitions.satisfaction_rate",
        label="满意率",
        better="up",
        numerator="petitions.satisfied",
        denominator="petitions.rated",
        source=LOCAL,
        formula="满意率 =(满意 + 基本满意)÷ 参评数 × 100%。",
    ),
    Rate(
        code="petitions.rating_rate",
        label="参评率",
        better="up",
        numerator="petitions.rated_replied",
        denominator="petitions.replied",
        source=LOCAL,
        formula="参评率 = 已评价办结数 ÷ 办结数 × 100%。",
    ),
    Rate(
        code="petitions.online_share",
        label="网上信访占比",
        better="up",
        numerator="petitions.online",
        denominator="petitions.received",
        source=LOCAL,
        formula="网上信访占比 = 网上信访量 ÷ 信访总量 × 100%。",
    ),
    Rate(
        code="petitions.repeat_rate",
        label="重复访率",
        better="down",
        numerator="petitions.repeat",
        denominator="petitions.received",
        source=LOCAL,
        formula="重复访率 = 重复访量 ÷ 信访总量 × 100%。",
    ),
    Rate(
        code="petitions.skip_level_rate",
        label="越级访率",
        better="down",
        numerator="petitions.skip_level",
        denominator="petitions.received",
        source=LOCAL,
        formula="越级访率 = 越级访量 ÷ 信访总量 × 100%。",
    ),
    Rate(
        code="petitions.collective_rate",
        label="集体访率",
        better="down",
        numerator="petitions.collective",
        denominator="petitions.received",
        source=LOCAL,
        formula="集体访率 = 集体访量 ÷ 信访总量 × 100%。",
    ),
]

register_group(GROUP)
register(*FIGURES)
