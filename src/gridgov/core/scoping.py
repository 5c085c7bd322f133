"""Jurisdiction scoping, enforced once, failing closed.

Every scoped row carries a materialized area path (`area_path`, or `path` on areas themselves) such
as ``330203/101/201/005/``. A user's jurisdiction is the set of area paths their memberships grant
for each action. `Model.objects.for_user(user, action)` keeps the rows under one of those paths.

A queryset of a scoped model that came neither from `for_user` nor from inside
`unscoped("reason")` raises `ScopeError` when it touches the database, so a forgotten filter is a
crash in the tests, never a leak in production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models
from django.db.models import Q

logger = logging.getLogger("gridgov.scoping")

_unscoped_reason: ContextVar[str | None] = ContextVar("gridgov_unscoped_reason", default=None)

# Sorts after every character used in paths (digits, letters, "/"), for index-friendly ranges.
_PATH_END = "~"


class ScopeError(RuntimeError):
    """A scoped model was queried without a user scope or an explicit `unscoped` block."""


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Allow unscoped queries in this block. The reason is logged; keep it short and greppable.

    For system work only: migrations, commands, background jobs, uniqueness checks, and services
    re-reading a row they have already authorised.
    """
    if not reason:
        raise ValueError("unscoped() needs a reason")
    logger.debug("unscoped: %s", reason)
    token = _unscoped_reason.set(reason)
    try:
        yield
    finally:
        _unscoped_reason.reset(token)


def is_unscoped() -> bool:
    return _unscoped_reason.get() is not None


# --- Jurisdiction ------------------------------------------------------------------------------

GrantSource = Callable[[Any], Iterable[tuple[str, str]]]
_grant_sources: list[GrantSource] = []


def register_grant_source(source: GrantSource) -> None:
    """Register a function user -> iterable of (action, area path).

    `accounts` registers memberships.

    Kept as a hook so that `core` imports no domain app.
    """
    if source not in _grant_sources:
        _grant_sources.append(source)


def minimal_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop every path that lies under another one in the set: they add nothing to a filter."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(parent) for parent in kept):
            kept.append(path)
    return tuple(kept)


@dataclass(frozen=True)
class Jurisdiction:
    """What one user may do where: action code -> minimal tuple of area paths.

    `is_global` is the installation superuser, who bypasses the filter (and is logged doing so).
    """

    is_global: bool = False
    grants: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def paths_for(self, action: str) -> tuple[str, ...] | None:
        """Paths where `action` is granted; None means everywhere."""
        if self.is_global:
            return None
        return self.grants.get(action, ())

    def allows(self, action: str, path: str | None) -> bool:
        paths = self.paths_for(action)
        if paths is None:
            return True
        return bool(path) and any(path.startswith(p) for p in paths)

    def allows_anywhere(self, action: str) -> bool:
        return self.is_global or bool(self.grants.get(action))

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self.grants)


_CACHE_ATTR = "_gridgov_jurisdiction"


def jurisdiction(user: Any) -> Jurisdiction:
    """The user's jurisdiction, computed once per user object (that is, once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Jurisdiction()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        logger.info("scope bypass: superuser %s sees every jurisdiction", user.get_username())
        result = Jurisdiction(is_global=True)
    else:
        collected: dict[str, list[str]] = {}
        with unscoped("compute jurisdiction"):
            for source in _grant_sources:
                for action, path in source(user):
                    collected.setdefault(action, []).append(path)
        result = Jurisdiction(grants={a: minimal_paths(p) for a, p in collected.items()})
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_jurisdiction(user: Any) -> None:
    """Drop the cached jurisdiction, after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# --- The one filter ----------------------------------------------------------------------------


def path_prefix_q(field_name: str, paths: Iterable[str], vendor: str = "") -> Q:
    """Rows whose `field_name` starts with one of `paths`, as a range every database indexes.

    Path columns are `core.fields.PathField`: bytewise collation everywhere, so
    `p <= path < p + "~"` is exactly "starts with p", answered by the column's btree index (and
    by (level, path) for areas) in path order. A LIKE would need a second, pattern index on
    PostgreSQL and cannot use a plain index on SQLite. `vendor` is kept for callers' clarity.
    """
    q = Q()
    for path in paths:
        q |= Q(**{f"{field_name}__gte": path, f"{field_name}__lt": path + _PATH_END})
    return q


class GuardedQuerySet(models.QuerySet):
    """A queryset that asks `_check_scope()` before every way it reaches the database. Subclasses
    say what "scoped" means: to a user's jurisdiction (ScopedQuerySet) or to one recipient
    (notifications)."""

    def _check_scope(self) -> None:
        raise NotImplementedError

    # Every way a queryset reaches the database passes one of these.
    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self) -> int:
        self._check_scope()
        return super().count()

    def exists(self) -> bool:
        self._check_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    def contains(self, obj: Any) -> bool:
        self._check_scope()
        return super().contains(obj)

    def explain(self, *, format: str | None = None, **options: Any) -> str:
        self._check_scope()
        return super().explain(format=format, **options)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise HardDeleteForbidden()


class ScopedQuerySet(GuardedQuerySet):
    """A queryset that refuses to run unless it was scoped to a user (or explicitly unscoped)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scoped_for: str | None = None

    def _clone(self) -> ScopedQuerySet:
        clone = super()._clone()
        clone._scoped_for = self._scoped_for
        return clone

    def for_user(self, user: Any, action: str = "view") -> ScopedQuerySet:
        """Rows `user` may `action`: under a granted path, or made visible by the model's hook.

        `action` is a full code such as "areas.view"; a bare "view" is prefixed with the model's
        app label.
        """
        if "." not in action:
            action = f"{self.model._meta.app_label}.{action}"
        paths = jurisdiction(user).paths_for(action)
        qs = self._chain()
        qs._scoped_for = action
        if paths is None:
            return qs
        condition = path_prefix_q(self.model.scope_path_field, paths, connections[self.db].vendor)
        extra = self.model.extra_visibility(user, action)
        if extra is not None:
            condition |= extra
        if not condition:
            return qs.none()
        return qs.filter(condition)

    def _check_scope(self) -> None:
        if self._scoped_for is None and not is_unscoped():
            raise ScopeError(
                f"{self.model.__name__} queried without a jurisdiction: "
                f"use .for_user(user, action) or core.scoping.unscoped(reason)"
            )


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Default manager of scoped models. Not used in migrations, so they stay plain."""

    use_in_migrations = False


class HardDeleteForbidden(RuntimeError):
    """Nothing is hard-deleted: records are retired or ended through their services."""

    def __init__(self) -> None:
        super().__init__("records are never deleted; retire or end them through a service")


class ScopedModel(models.Model):
    """Base of every model whose rows belong to an area.

    Subclasses keep `scope_path_field` (default "area_path") filled by their services and may
    widen visibility with `extra_visibility` (e.g. a department sees what was dispatched to it).
    """

    scope_path_field = "area_path"
    # Records follow their area when it moves; logs (False) keep the path they were written under.
    follows_area_moves = True

    objects = ScopedManager()

    class Meta:
        abstract = True

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> Q | None:
        """Extra rows `user` may `action` beyond their area subtree, as a Q, or None."""
        return None

    @property
    def scope_path(self) -> str:
        return getattr(self, self.scope_path_field)

    def validate_unique(self, exclude: Any = None) -> None:
        # Uniqueness is global: a code taken in another village is still taken.
        with unscoped("uniqueness check"):
            super().validate_unique(exclude)

    def validate_constraints(self, exclude: Any = None) -> None:
        with unscoped("constraint check"):
            super().validate_constraints(exclude)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise HardDeleteForbidden()


def get_for_user_or_404(model: type[ScopedModel], user: Any, action: str, **lookup: Any) -> Any:
    """The one row matching `lookup` that `user` may `action`, else NotFound (never "forbidden").

    Out-of-jurisdiction and missing look the same, so nothing leaks.
    """
    from gridgov.core.errors import NotFound

    try:
        return model.objects.for_user(user, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def require(user: Any, action: str, path: str | None) -> None:
    """Raise NotPermitted unless `user` may `action` at `path` (an area path)."""
    from gridgov.core.errors import NotPermitted

    if "." not in action:
        raise ValueError("require() takes a full action code, e.g. 'areas.manage'")
    if not jurisdiction(user).allows(action, path):
        raise NotPermitted()
