from django.apps import AppConfig


class SpecialConfig(AppConfig):
    name = "gridgov.special"
    label = "special"
    verbose_name = "特殊人群"

    def ready(self) -> None:
        from gridgov.core import audit, audit_codes
        from gridgov.core import tasks as core_tasks
        from gridgov.core.home import register_panel
        from gridgov.registry.flags import register_flag_handler
        from gridgov.registry.selectors import register_file_section
        from gridgov.registry.services import register_merge_hook
        from gridgov.special import tasks
        from gridgov.special.home import visits_panel
        from gridgov.special.models import (
            Handover,
            SpecialStatus,
            SpecialType,
            StatusChange,
            Visit,
            VisitRule,
        )
        from gridgov.special.sections import person_special_section
        from gridgov.special.services import move_statuses_on_merge, open_from_flag

        for model in (SpecialStatus, StatusChange, Visit, Handover, SpecialType, VisitRule):
            audit.register(model)
        audit_codes.register(
            {
                "special.status.opened": "特殊人群列管",
                "special.status.grade": "调整特殊人群等级",
                "special.status.officer": "更换特殊人群责任人",
                "special.status.updated": "修改特殊人群信息",
                "special.status.ended": "解除特殊人群列管",
                "special.status.lost": "特殊人群脱管(失控)",
                "special.status.merged": "人员合并后移交特殊人群记录",
                "special.visit.logged": "登记特殊人群走访",
                "special.handover.started": "发起特殊人群交接",
                "special.handover.accepted": "接收特殊人群交接",
                "special.handover.rejected": "拒收特殊人群交接",
                "special.handover.cancelled": "撤回特殊人群交接",
                "special.config.changed": "修改特殊人群类型与走访规则",
            }
        )
        register_file_section(person_special_section)
        register_merge_hook(move_statuses_on_merge)
        register_flag_handler("key_petitioner", open_from_flag)
        register_panel(visits_panel)
        if tasks.sweep_special_visits not in core_tasks.PERIODIC_TASKS:
            core_tasks.PERIODIC_TASKS.append(tasks.sweep_special_visits)
