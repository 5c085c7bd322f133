"""Assertions and small helpers the service tests of every app share."""

from __future__ import annotations

import re
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.apps import apps

from gridgov.core.errors import Invalid
from gridgov.core.scoping import unscoped
from gridgov.core.testing.personas import PASSWORD, World

CJK = re.compile(r"[\u4e00-\u9fff]")


def snapshot() -> dict[str, int]:
    """Row counts of everything a service could write, to prove a refusal wrote nothing."""
    models = {
        "area": "areas.Area",
        "assignment": "areas.GridAssignment",
        "membership": "accounts.Membership",
        "department": "accounts.Department",
        "user": "accounts.User",
    }
    with unscoped("test: row counts"):
        counts = {
            name: apps.get_model(label)._base_manager.count() for name, label in models.items()
        }
        counts["audit"] = LogEntry.objects.count()
    return counts


def fresh(obj: Any) -> Any:
    """A new instance from the database (no cached jurisdiction, no stale fields)."""
    return type(obj)._base_manager.get(pk=obj.pk)


def last_entry(obj: Any) -> LogEntry:
    entry = LogEntry.objects.get_for_object(obj).order_by("-pk").first()
    assert entry is not None, f"no audit entry for {obj!r}"
    return entry


def assert_audited(obj: Any, code: str, actor: Any) -> LogEntry:
    """The object's latest audit entry has this action code, actor and area path."""
    entry = last_entry(obj)
    assert entry.additional_data["action"] == code
    assert entry.actor_id == actor.pk
    assert entry.additional_data["area_path"] == obj.scope_path
    return entry


def assert_chinese(exc: pytest.ExceptionInfo) -> None:
    """Every message of the refusal is in Chinese, for the user."""
    error = exc.value
    messages = (
        [m for ms in error.errors.values() for m in ms] if isinstance(error, Invalid) else []
    ) + [error.message]
    assert all(CJK.search(m) for m in messages), messages


def make_user(world: World, username: str, full_name: str = "新人员") -> Any:
    from gridgov.accounts import services

    return services.create_user(
        actor=world.system, username=username, full_name=full_name, password=PASSWORD
    )
