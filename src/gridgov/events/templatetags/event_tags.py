"""The deadline lamp and countdown beside an event, wherever it is listed."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.events import selectors

register = template.Library()


@register.filter
def lamp(event: Any) -> str:
    return event.light()


@register.filter
def remaining(event: Any) -> str:
    return selectors.remaining_text(event)


@register.simple_tag
def step_label(action: str) -> str:
    return STEP_LABELS.get(action, action)


STEP_LABELS = {
    "reported": "上报",
    "copied": "抄告",
    "accepted": "受理",
    "rejected": "不予受理",
    "merged": "合并",
    "merged_in": "并入重复事件",
    "dispatched": "派遣",
    "handled_here": "中心自办",
    "escalated": "上报上级中心",
    "self_handled": "自行处置",
    "taken": "签收",
    "returned": "退回",
    "done": "办结反馈",
    "assist_done": "协办反馈",
    "extension_requested": "申请延期",
    "suspension_requested": "申请挂账",
    "request_granted": "申请获批",
    "request_refused": "申请未获批",
    "resumed": "恢复办理",
    "verified": "核查通过,结案",
    "rework": "核查不通过,返工",
    "rated": "评价",
    "reopened": "重新办理",
    "supervised": "督办",
    "overdue": "超期",
}


def register_step_labels(labels: dict[str, str]) -> None:
    """Labels of the steps other apps write on an event's timeline (services.record_step)."""
    for action, label in labels.items():
        STEP_LABELS.setdefault(action, label)


@register.simple_tag(takes_context=True)
def todo(context: Any, event: Any) -> str:
    return selectors.todo_label(context["request"].user, event)
