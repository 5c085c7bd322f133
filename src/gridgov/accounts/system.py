"""The system actor: who background jobs, commands and the demo seed act as.

A superuser with an unusable password and a fixed name, so its audit entries read "系统".
"""

from __future__ import annotations

from gridgov.accounts.models import User

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, full_name="系统", is_superuser=True, is_active=True)
        user.set_unusable_password()
        user.save()
    return user
