"""Labels of audit action codes, in one registry. Apps add theirs with `register`."""

from __future__ import annotations

_LABELS: dict[str, str] = {
    "system.unattributed": "系统(未标注操作)",
    "system.seed": "初始化/演示数据",
}


def register(codes: dict[str, str]) -> None:
    _LABELS.update(codes)


def label_for(code: str) -> str:
    try:
        return _LABELS[code]
    except KeyError:
        raise KeyError(
            f"unknown audit action code {code!r}: register it in the app's apps.py"
        ) from None


def all_codes() -> dict[str, str]:
    return dict(_LABELS)
