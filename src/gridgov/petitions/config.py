"""The petition time limits and thresholds, from the setting ``GRIDGOV_PETITIONS``.

The 信访工作条例 (2022-05-01) says "日" without saying natural or working days, and provinces
read it differently, so every limit is a (value, unit) pair with a unit of
`core.workcalendar.DurationUnit` (自然日, 工作日 …) that an installation may change:

    GRIDGOV_PETITIONS = {"limits": {"handle": (60, "work_days")}, "repeat_window_days": 180}

Keys not given keep the defaults below (DOMAIN.md §5.5; the figures are the 条例's as summarised
there, to be checked against the text before a province relies on them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gridgov.core.workcalendar import DurationUnit

N = DurationUnit.NATURAL_DAYS.value

DEFAULT_LIMITS: dict[str, tuple[int, str]] = {
    # Decide whether to accept and tell the petitioner, from receipt (15 日).
    "accept": (15, N),
    # Handle and answer in writing, from acceptance (60 日).
    "handle": (60, N),
    # The one extension of the handling, at most (不得超过 30 日).
    "extension_max": (30, N),
    # The petitioner may ask the organ above to review, from the answer (30 日) …
    "review_request": (30, N),
    # … which answers within (30 日) …
    "review": (30, N),
    # … and then ask for a re-review (复核), from the review's answer (30 日) …
    "re_review_request": (30, N),
    # … answered within (30 日).
    "re_review": (30, N),
}

LIMIT_LABELS = {
    "accept": "告知是否受理",
    "handle": "办理答复",
    "extension_max": "延期上限",
    "review_request": "请求复查期限",
    "review": "复查答复",
    "re_review_request": "请求复核期限",
    "re_review": "复核答复",
}

DEFAULTS: dict[str, Any] = {
    # Five or more people petitioning together is a collective petition (集体访).
    "collective_min": 5,
    # A petition is a repeat (重复访) when one of its petitioners lodged the same matter (same
    # category) within this many days before.
    "repeat_window_days": 365,
    # The level a petition is properly lodged at (属地): the petitioner's township. Lodged above
    # it is skip-level (越级访).
    "proper_level": "township",
    # A person with this many petitions within `key_window_days` may be flagged as a key
    # petitioner (重点信访人员).
    "key_threshold": 3,
    "key_window_days": 365,
}


@dataclass(frozen=True)
class Config:
    limits: dict[str, tuple[int, str]]
    collective_min: int
    repeat_window_days: int
    proper_level: str
    key_threshold: int
    key_window_days: int

    def limit(self, name: str) -> tuple[int, str]:
        return self.limits[name]


def config() -> Config:
    """The installation's petition settings, defaults filled in and checked."""
    raw = dict(getattr(settings, "GRIDGOV_PETITIONS", {}) or {})
    limits = dict(DEFAULT_LIMITS)
    for name, pair in (raw.pop("limits", {}) or {}).items():
        if name not in DEFAULT_LIMITS:
            raise ImproperlyConfigured(f"GRIDGOV_PETITIONS limits: unknown limit {name!r}")
        try:
            value, unit = pair
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"GRIDGOV_PETITIONS limits[{name!r}]: (value, unit)"
            ) from exc
        if unit not in DurationUnit.values or int(value) < 1:
            raise ImproperlyConfigured(f"GRIDGOV_PETITIONS limits[{name!r}]: bad {pair!r}")
        limits[name] = (int(value), unit)
    unknown = set(raw) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"GRIDGOV_PETITIONS: unknown keys {sorted(unknown)}")
    values = {**DEFAULTS, **raw}
    return Config(limits=limits, **values)
