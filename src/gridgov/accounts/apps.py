from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridgov.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from gridgov.accounts.grants import grants_from_memberships
        from gridgov.accounts.home import jurisdiction_panel
        from gridgov.accounts.models import Department, Membership, User
        from gridgov.core import audit, audit_codes
        from gridgov.core.home import register_panel
        from gridgov.core.scoping import register_grant_source

        register_grant_source(grants_from_memberships)
        register_panel(jurisdiction_panel)
        audit.register(User, exclude=("last_login", "date_joined"), masked=("password",))
        audit.register(Department)
        audit.register(Membership)
        audit_codes.register(
            {
                "accounts.user.created": "新建账号",
                "accounts.user.updated": "修改账号",
                "accounts.user.deactivated": "停用账号",
                "accounts.user.password_set": "重置密码",
                "accounts.membership.created": "授予任职",
                "accounts.membership.ended": "终止任职",
                "accounts.department.created": "新建部门",
                "accounts.department.updated": "修改部门",
                "accounts.department.retired": "撤销部门",
            }
        )
