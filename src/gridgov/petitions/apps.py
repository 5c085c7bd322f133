from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "gridgov.petitions"
    label = "petitions"
    verbose_name = "信访"

    def ready(self) -> None:
        from gridgov.core import audit, audit_codes
        from gridgov.core import tasks as core_tasks
        from gridgov.events.sections import register_event_section
        from gridgov.events.selectors import register_workflow_owner
        from gridgov.events.templatetags.event_tags import register_step_labels
        from gridgov.petitions import tasks
        from gridgov.petitions.models import (
            KeyPetitionerFlag,
            LeaderCase,
            Petition,
            Reception,
            ReceptionDay,
        )
        from gridgov.petitions.sections import (
            event_petition_section,
            person_petitions_section,
            petition_workflow,
        )
        from gridgov.petitions.services import move_on_merge
        from gridgov.registry.selectors import register_file_section
        from gridgov.registry.services import register_merge_hook

        for model in (Petition, LeaderCase, ReceptionDay, Reception, KeyPetitionerFlag):
            audit.register(model)
        audit_codes.register(
            {
                "petitions.petition.registered": "登记信访事项",
                "petitions.petition.accepted": "告知受理信访事项",
                "petitions.petition.not_accepted": "告知不予受理信访事项",
                "petitions.petition.extended": "信访事项延期办理",
                "petitions.petition.replied": "书面答复信访事项",
                "petitions.petition.review_requested": "登记复查请求",
                "petitions.petition.reviewed": "作出复查意见",
                "petitions.petition.re_review_requested": "登记复核请求",
                "petitions.petition.re_reviewed": "作出复核意见",
                "petitions.petition.closed": "信访事项办结",
                "petitions.petition.rated": "信访人评价",
                "petitions.leader_case.taken": "领导包案",
                "petitions.leader_case.ended": "结束领导包案",
                "petitions.reception_day.scheduled": "安排领导接访日",
                "petitions.reception.recorded": "记录领导接访",
                "petitions.key_flag.raised": "标记重点信访人员",
            }
        )
        # A petition's statutory stages are its own steps: the hub offers only supervision.
        register_workflow_owner(petition_workflow)
        # The event page names the petition's steps on the hub's timeline.
        register_step_labels(
            {
                "petition_registered": "信访登记",
                "petition_accepted": "告知受理",
                "petition_not_accepted": "告知不予受理",
                "petition_extended": "延期办理",
                "petition_replied": "书面答复",
                "review_requested": "请求复查",
                "reviewed": "复查答复",
                "re_review_requested": "请求复核",
                "re_reviewed": "复核答复",
                "petition_closed": "信访办结",
                "petition_rated": "信访人评价",
                "leader_case": "领导包案",
                "leader_case_ended": "包案结束",
                "key_petitioner": "标记重点信访人员",
            }
        )
        register_file_section(person_petitions_section)
        register_event_section(event_petition_section)
        register_merge_hook(move_on_merge)
        if tasks.close_lapsed_petitions not in core_tasks.PERIODIC_TASKS:
            core_tasks.PERIODIC_TASKS.append(tasks.close_lapsed_petitions)
