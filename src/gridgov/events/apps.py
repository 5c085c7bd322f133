from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "gridgov.events"
    label = "events"
    verbose_name = "事件中心"

    def ready(self) -> None:
        from gridgov.core import audit, audit_codes
        from gridgov.core import tasks as core_tasks
        from gridgov.events import tasks
        from gridgov.events.models import (
            Assignment,
            Attachment,
            Category,
            Event,
            EventKind,
            EventParty,
            EventRequest,
            RoutingRule,
            SupervisionRecord,
            TimelineEntry,
        )
        from gridgov.events.sections import person_events_section
        from gridgov.events.services import move_parties_on_merge
        from gridgov.registry.selectors import register_file_section
        from gridgov.registry.services import register_merge_hook

        audit.register(Event, exclude=("contact_phone_token", "contact_phone_hash"))
        for model in (
            Assignment,
            Attachment,
            EventParty,
            EventRequest,
            RoutingRule,
            SupervisionRecord,
            TimelineEntry,
            Category,
            EventKind,
        ):
            audit.register(model)
        audit_codes.register(
            {
                "events.event.reported": "上报事件",
                "events.event.accepted": "受理事件",
                "events.event.rejected": "不予受理事件",
                "events.event.merged": "合并重复事件",
                "events.event.dispatched": "派遣事件",
                "events.event.handled_here": "中心自办事件",
                "events.event.escalated": "事件上报上级中心",
                "events.event.self_handled": "自行处置事件",
                "events.event.taken": "签收事件",
                "events.event.returned": "退回事件",
                "events.event.done": "办结反馈",
                "events.event.closed": "核查通过并结案",
                "events.event.rework": "核查不通过返工",
                "events.event.rated": "评价事件",
                "events.event.reopened": "重新办理事件",
                "events.event.resumed": "挂账事件恢复办理",
                "events.event.supervised": "督办事件",
                "events.request.made": "申请延期或挂账",
                "events.request.decided": "审批延期或挂账",
                "events.config.changed": "修改事件类别与时限",
                "events.routing_rule.created": "新建事件直报规则",
                "events.routing_rule.updated": "修改事件直报规则",
                "events.routing_rule.deactivated": "停用事件直报规则",
                "events.party.moved": "人员合并后移交事件",
                "events.deadline.swept": "办理期限巡检(临期、超期、自动督办)",
            }
        )
        register_file_section(person_events_section)
        register_merge_hook(move_parties_on_merge)
        if tasks.sweep_event_deadlines not in core_tasks.PERIODIC_TASKS:
            core_tasks.PERIODIC_TASKS.append(tasks.sweep_event_deadlines)
