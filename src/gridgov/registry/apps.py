from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gridgov.registry"
    label = "registry"
    verbose_name = "基础数据(一标三实)"

    def ready(self) -> None:
        from gridgov.core import audit, audit_codes
        from gridgov.core import exports as core_exports
        from gridgov.registry import imports
        from gridgov.registry.exports import SPECS as EXPORT_SPECS

        for spec in EXPORT_SPECS:
            core_exports.register(spec)
        from gridgov.registry.models import (
            Address,
            House,
            Person,
            Residence,
            ResponsibilityLetter,
            Unit,
        )

        for model in (Address, ResponsibilityLetter, Residence):
            audit.register(model)
        audit.register(House, exclude=("owner_id_token", "owner_id_hash"))
        audit.register(Unit, exclude=("legal_rep_phone_token", "security_contact_phone_token"))
        # Tokens and hashes change with every re-encryption; the masked forms record the change.
        audit.register(Person, exclude=("id_token", "id_hash", "phone_token", "phone_hash"))
        audit_codes.register(
            {
                "registry.address.created": "登记标准地址",
                "registry.address.updated": "修改标准地址",
                "registry.address.retired": "注销标准地址",
                "registry.house.created": "登记房屋",
                "registry.house.updated": "修改房屋",
                "registry.unit.created": "登记单位",
                "registry.unit.updated": "修改单位",
                "registry.letter.created": "登记责任书",
                "registry.person.created": "登记人员",
                "registry.person.updated": "修改人员信息",
                "registry.person.status": "变更人员状态",
                "registry.person.merged": "合并重复人员档案",
                "registry.residence.started": "登记居住",
                "registry.residence.ended": "迁出",
                "registry.keys.rotated": "轮换加密密钥",
                "registry.import.batch": "批量导入",
            }
        )
        imports.register_job_handler()
