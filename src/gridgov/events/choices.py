"""Code tables of the event hub fixed in code (kinds and categories live in the database)."""

from django.db import models


class State(models.TextChoices):
    """States of the one event workflow (DESIGN.md, DOMAIN.md §2.4)."""

    REPORTED = "reported", "待受理"
    ACCEPTED = "accepted", "待派遣"
    DISPATCHED = "dispatched", "待签收"
    IN_PROGRESS = "in_progress", "办理中"
    SUSPENDED = "suspended", "挂账"
    VERIFYING = "verifying", "待核查"
    CLOSED = "closed", "已结案"
    RATED = "rated", "已评价"
    REJECTED = "rejected", "不予受理"
    MERGED = "merged", "已合并"


# Events still waiting for someone; the deadline sweep and the queues look only at these.
OPEN_STATES = frozenset(
    {
        State.REPORTED,
        State.ACCEPTED,
        State.DISPATCHED,
        State.IN_PROGRESS,
        State.SUSPENDED,
        State.VERIFYING,
    }
)
# States in which the dispatch clock runs (a suspended case is parked in the 问题库).
CLOCK_STATES = frozenset({State.DISPATCHED, State.IN_PROGRESS, State.VERIFYING})
FINISHED_STATES = frozenset({State.CLOSED, State.RATED})


class Priority(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Source(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员上报"
    CITIZEN = "citizen", "群众反映"
    HOTLINE = "hotline", "热线电话"
    DEPARTMENT = "department", "部门移交"
    SUPERIOR = "superior", "上级交办"
    VIDEO = "video", "视频巡查"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Supervision(models.TextChoices):
    """催办 → 督办 → 挂牌督办: yellow and red cards of commercial platforms, in rising order."""

    REMIND = "remind", "催办"
    SUPERVISE = "supervise", "督办"
    LISTED = "listed", "挂牌督办"


SUPERVISION_RANK = {Supervision.REMIND: 1, Supervision.SUPERVISE: 2, Supervision.LISTED: 3}


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"
    COPY = "copy", "抄告"


class AssignmentState(models.TextChoices):
    PENDING = "pending", "待签收"
    TAKEN = "taken", "办理中"
    DONE = "done", "已反馈"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


ASSIGNMENT_OPEN = frozenset({AssignmentState.PENDING, AssignmentState.TAKEN})


class RequestKind(models.TextChoices):
    EXTENSION = "extension", "延期申请"
    SUSPENSION = "suspension", "挂账申请"


class RequestState(models.TextChoices):
    PENDING = "pending", "待审批"
    GRANTED = "granted", "已批准"
    REFUSED = "refused", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class Light(models.TextChoices):
    """The deadline lamp shown beside an event."""

    NONE = "none", "未计时"
    GREEN = "green", "正常"
    YELLOW = "yellow", "临期"
    RED = "red", "超期"


class PartyRole(models.TextChoices):
    PARTY = "party", "当事人"
    REPORTED = "reported", "被反映人"
    WITNESS = "witness", "知情人"
    OTHER = "other", "其他"
