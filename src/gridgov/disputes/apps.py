from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "gridgov.disputes"
    label = "disputes"
    verbose_name = "矛盾纠纷"

    def ready(self) -> None:
        from gridgov.core import audit, audit_codes
        from gridgov.core import tasks as core_tasks
        from gridgov.core.home import register_panel
        from gridgov.disputes import sections, services, tasks
        from gridgov.disputes.home import disputes_panel
        from gridgov.disputes.models import (
            DisputeDetail,
            DisputeParty,
            FollowUpVisit,
            MajorListing,
            Mediation,
            MediationFile,
            MediationSession,
            ScreeningPolicy,
            ScreeningReminder,
            ScreeningReport,
        )
        from gridgov.events.sections import register_event_section
        from gridgov.events.templatetags.event_tags import register_step_labels
        from gridgov.registry.selectors import register_file_section
        from gridgov.registry.services import register_merge_hook

        for model in (
            DisputeDetail,
            DisputeParty,
            Mediation,
            MediationSession,
            MediationFile,
            FollowUpVisit,
            ScreeningPolicy,
            ScreeningReport,
            ScreeningReminder,
            MajorListing,
        ):
            audit.register(model)
        audit_codes.register(
            {
                "disputes.detail.recorded": "登记矛盾纠纷详情",
                "disputes.detail.changed": "修改矛盾纠纷详情",
                "disputes.party.added": "添加纠纷当事人",
                "disputes.party.removed": "移除纠纷当事人",
                "disputes.party.moved": "人员合并后移交纠纷当事人",
                "disputes.mediation.started": "受理调解",
                "disputes.mediation.session": "登记调解记录",
                "disputes.mediation.agreed": "调解成功,达成协议",
                "disputes.mediation.failed": "调解不成",
                "disputes.mediation.confirmation": "登记司法确认",
                "disputes.mediation.performance": "登记协议履行情况",
                "disputes.mediation.visit": "登记回访",
                "disputes.mediation.file": "上传调解材料",
                "disputes.screening.policy": "设置排查上报周期",
                "disputes.screening.filed": "上报排查报告",
                "disputes.screening.amended": "修改排查报告",
                "disputes.screening.reminded": "排查报告缺报提醒",
                "disputes.listing.listed": "重大纠纷挂牌督办",
                "disputes.listing.crossed_off": "重大纠纷验收销号",
            }
        )
        register_step_labels(services.STEP_LABELS)
        register_event_section(sections.event_dispute_section)
        register_file_section(sections.person_disputes_section)
        register_merge_hook(services.move_parties_on_merge)
        register_panel(disputes_panel)
        if tasks.check_screening_reports not in core_tasks.PERIODIC_TASKS:
            core_tasks.PERIODIC_TASKS.append(tasks.check_screening_reports)
