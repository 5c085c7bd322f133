"""The access log (core/access_log.py) and the audit context (core/audit.py).

Access entries record sensitive reads; audit entries record changes. Both carry an area path, so
both are read through the same jurisdiction rule as everything else.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser

from gridgov.accounts import services as accounts
from gridgov.accounts.roles import Role
from gridgov.areas import services as areas
from gridgov.areas.models import Area
from gridgov.core import audit, request_context
from gridgov.core.access_log import record_access
from gridgov.core.errors import InvalidTransition
from gridgov.core.models import AccessEntry
from gridgov.core.scoping import HardDeleteForbidden, ScopeError, unscoped
from gridgov.core.testing.personas import PASSWORD, World

Kind = AccessEntry.Kind


def fresh(obj: Any) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


def access_count() -> int:
    with unscoped("test: count"):
        return AccessEntry.objects.count()


def visible_entries(user: Any) -> list[AccessEntry]:
    return list(AccessEntry.objects.for_user(user, "core.view_access_log").order_by("pk"))


@pytest.fixture
def admin_b(world: World) -> Any:
    user = accounts.create_user(
        actor=world.system, username="admin_b", full_name="乙管理员", password=PASSWORD
    )
    accounts.grant_membership(user, actor=world.system, role=Role.ADMIN, area=world.township_b)
    return fresh(user)


@pytest.fixture
def request_id() -> Any:
    token = request_context.start("req-0001", "10.0.0.9")
    yield "req-0001"
    request_context.end(token)


# --- record_access --------------------------------------------------------------------------------


def test_record_access_writes_entry(world: World, request_id: str) -> None:
    # given
    audit_before = LogEntry.objects.count()
    # when the centre staff unmask a worker's phone number
    entry = record_access(
        world.center_a,
        kind=Kind.UNMASKED,
        area_path=world.grid_a1.path,
        obj=world.worker_a1,
        fields=("phone", "id_number"),
        purpose="核实身份" * 60,
    )
    # then
    entry = fresh(entry)
    assert entry.user_id == world.center_a.pk
    assert entry.user_repr == "center_a"
    assert entry.kind == Kind.UNMASKED
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "accounts.user",
        str(world.worker_a1.pk),
        "甲网格员",
    )
    assert entry.fields == ["phone", "id_number"]
    assert entry.row_count == 1
    assert len(entry.purpose) == 200
    assert entry.area_path == world.grid_a1.path
    assert entry.request_id == request_id
    assert entry.at is not None
    # and the access log is not itself audited
    assert LogEntry.objects.count() == audit_before


def test_record_access_export_without_object(world: World) -> None:
    entry = record_access(
        world.admin,
        kind=Kind.EXPORT,
        area_path=world.district.path,
        row_count=1234,
        fields=["姓名", "手机号码"],
    )
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("", "", "")
    assert entry.row_count == 1234
    assert entry.request_id == ""


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"kind": "peek", "area_path": "330203/"}, "unknown access kind", id="kind"),
        pytest.param({"kind": Kind.FILE_VIEW, "area_path": ""}, "area path", id="no area path"),
    ],
)
def test_record_access_bad_input_writes_nothing(
    world: World, kwargs: dict[str, Any], match: str
) -> None:
    before = access_count()
    with pytest.raises(ValueError, match=match):
        record_access(world.admin, **kwargs)
    assert access_count() == before


# --- Reading the access log -----------------------------------------------------------------------


def test_access_log_read_follows_jurisdiction(world: World, admin_b: Any) -> None:
    # given reads in both townships
    in_a = record_access(world.center_a, kind=Kind.FILE_VIEW, area_path=world.grid_a1.path)
    in_b = record_access(world.center_b, kind=Kind.FILE_VIEW, area_path=world.grid_b1.path)
    # then the district admin sees both, B's admin only B's, and nobody else any
    assert visible_entries(world.admin) == [in_a, in_b]
    assert visible_entries(admin_b) == [in_b]
    assert visible_entries(world.system) == [in_a, in_b]
    for name in ("center_a", "leader_a", "worker_a1", "officer_a1"):
        assert visible_entries(getattr(world, name)) == [], name
    assert visible_entries(AnonymousUser()) == []


def test_access_log_unscoped_query_raises(world: World) -> None:
    record_access(world.admin, kind=Kind.FILE_VIEW, area_path=world.grid_a1.path)
    with pytest.raises(ScopeError):
        list(AccessEntry.objects.all())
    with pytest.raises(ScopeError):
        AccessEntry.objects.filter(user=world.admin).count()


def test_access_log_rows_cannot_be_deleted(world: World) -> None:
    entry = record_access(world.admin, kind=Kind.FILE_VIEW, area_path=world.grid_a1.path)
    with pytest.raises(HardDeleteForbidden):
        entry.delete()
    with pytest.raises(HardDeleteForbidden), unscoped("test"):
        AccessEntry.objects.all().delete()
    assert access_count() == 1


def test_access_log_keeps_the_path_it_was_written_under(world: World, admin_b: Any) -> None:
    # given a read in village A2, which then moves to township B
    entry = record_access(world.center_a, kind=Kind.FILE_VIEW, area_path=world.grid_a2.path)
    village = fresh(world.village_a2)
    areas.move_area(
        village, actor=world.admin, version=village.version, new_parent=world.township_b
    )
    # then the log still says where the read happened (township A), like the audit log does
    assert fresh(entry).area_path == "330203/101/202/001/"
    assert visible_entries(admin_b) == []


def test_record_access_does_not_block_retiring_the_area(world: World) -> None:
    # given an empty virtual grid whose enterprise file was once viewed
    grid = fresh(world.grid_a1_virtual)
    record_access(world.center_a, kind=Kind.FILE_VIEW, area_path=grid.path)
    # when / then it can still be retired
    try:
        retired = areas.retire_area(
            grid, actor=world.admin, version=grid.version, reason="企业迁出"
        )
    except InvalidTransition as exc:
        pytest.fail(f"refused: {exc.message}")
    assert retired.status == "retired"


# --- audit.action ---------------------------------------------------------------------------------


def _touch(area: Area, note: str) -> LogEntry:
    """Change an area outside any service, so the audit context alone decides attribution."""
    area = fresh(area)
    area.note = note
    area.save()
    return LogEntry.objects.get_for_object(area).order_by("-pk").first()


def test_audit_action_names_actor_code_and_area(world: World, request_id: str) -> None:
    # when
    with audit.action(world.center_a, "areas.area.updated"):
        assert audit.current_action() == "areas.area.updated"
        entry = _touch(world.grid_a1, "试")
    # then
    assert entry.actor_id == world.center_a.pk
    assert entry.additional_data == {
        "action": "areas.area.updated",
        "area_path": world.grid_a1.path,
        "request_id": request_id,
    }
    assert entry.changes_dict["note"] == ["", "试"]
    assert audit.current_action() is None


def test_audit_action_outside_block_is_unattributed(world: World) -> None:
    entry = _touch(world.grid_a1, "无主")
    assert entry.actor_id is None
    assert entry.additional_data["action"] == "system.unattributed"


def test_audit_action_unknown_code_refused_before_any_write(world: World) -> None:
    before = LogEntry.objects.count()
    with (
        pytest.raises(KeyError, match="unknown audit action code"),
        audit.action(world.admin, "areas.area.vanished"),
    ):
        _touch(world.grid_a1, "不应写入")
    assert LogEntry.objects.count() == before
    assert fresh(world.grid_a1).note == ""


def test_audit_action_actor_without_pk_is_none(world: World) -> None:
    with audit.action(AnonymousUser(), "system.seed"):
        entry = _touch(world.grid_a1, "匿名")
    assert entry.actor_id is None
    assert entry.additional_data["action"] == "system.seed"


def test_audit_action_nested_restores_outer(world: World) -> None:
    # given an outer action (a service) calling an inner one (another service)
    with audit.action(world.admin, "areas.area.moved"):
        with audit.action(world.center_a, "areas.area.updated"):
            inner = _touch(world.grid_a1, "内")
        # when a change follows the inner block
        outer = _touch(world.grid_a2, "外")
        assert audit.current_action() == "areas.area.moved"
    # then each change keeps its own actor and code
    assert (inner.actor_id, inner.additional_data["action"]) == (
        world.center_a.pk,
        "areas.area.updated",
    )
    assert (outer.actor_id, outer.additional_data["action"]) == (world.admin.pk, "areas.area.moved")


def in_own_context(fn: Callable[[], Any]) -> Any:
    """Run `fn` in a copy of the current context: auditlog never resets its context variable, so a
    `set_actor` block would otherwise leave its address behind for later tests in this thread."""
    return contextvars.copy_context().run(fn)


def test_audit_action_restores_request_actor(world: World) -> None:
    # given the request's actor (as the middleware sets it) and a service inside the request
    def request() -> tuple[LogEntry, LogEntry]:
        tokens = request_context.start("req-0002", "10.0.0.8")
        try:
            with set_actor(world.leader_a, remote_addr="10.0.0.8"):
                with audit.action(world.center_a, "areas.area.updated"):
                    inner = _touch(world.grid_a1, "服务内")
                return inner, _touch(world.grid_a2, "服务后")
        finally:
            request_context.end(tokens)

    inner, after = in_own_context(request)
    # then the service's change is the service actor's, with the request's address kept,
    # and a later change in the request is the request actor's again
    assert inner.actor_id == world.center_a.pk
    assert inner.remote_addr == "10.0.0.8"
    assert after.actor_id == world.leader_a.pk


def test_audit_action_does_not_inherit_finished_request_address(world: World) -> None:
    def later() -> LogEntry:
        # given a request (auditlog's middleware uses set_actor) that has finished
        with set_actor(world.leader_a, remote_addr="10.0.0.8"):
            pass
        # when an action runs afterwards in the same thread
        with audit.action(world.center_a, "areas.area.updated"):
            return _touch(world.grid_a1, "之后")

    entry = in_own_context(later)
    # then it carries no address of the finished request
    assert entry.remote_addr is None


def test_audit_action_service_writes_carry_code_and_area_path(world: World) -> None:
    # given
    person = accounts.create_user(
        actor=world.admin, username="temp", full_name="临时", password=PASSWORD
    )
    # when a service writes two models under two codes (assignment + membership)
    assignment = areas.assign_grid_worker(
        world.grid_a2, actor=world.center_a, user=person, post="part_time"
    )
    # then
    for obj, code in (
        (assignment, "areas.assignment.created"),
        (assignment.membership, "accounts.membership.created"),
    ):
        entry = LogEntry.objects.get_for_object(obj).get()
        assert entry.actor_id == world.center_a.pk
        assert entry.additional_data["action"] == code
        assert entry.additional_data["area_path"] == world.grid_a2.path


# --- audit.entries_for ----------------------------------------------------------------------------


def test_entries_for_object_newest_first(world: World) -> None:
    # given a grid created, updated and renamed again
    grid = fresh(world.grid_a2)
    grid = areas.update_area(
        grid,
        actor=world.admin,
        version=grid.version,
        name="乙村一号网格",
        grid_kind=grid.grid_kind,
        boundary=grid.boundary,
    )
    grid = areas.update_area(
        grid,
        actor=world.admin,
        version=grid.version,
        name="乙村1号网格",
        grid_kind=grid.grid_kind,
        boundary=grid.boundary,
    )
    # when
    entries = list(audit.entries_for(grid))
    # then only this grid's entries, newest first
    assert [e.additional_data["action"] for e in entries] == [
        "areas.area.updated",
        "areas.area.updated",
        "areas.area.created",
    ]
    assert [e.changes_dict.get("name", [None, None])[1] for e in entries[:2]] == [
        "乙村1号网格",
        "乙村一号网格",
    ]
    assert all(e.object_pk == str(grid.pk) for e in entries)
    timestamps = [e.timestamp for e in entries]
    assert timestamps == sorted(timestamps, reverse=True)
    assert entries[0].actor == world.admin
