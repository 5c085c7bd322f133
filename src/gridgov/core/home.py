"""The home page: the user's jurisdiction, and what waits for them, from every app.

Apps register panels at start-up (`register_panel`); a panel is a function user -> Panel or None,
so `core` shows them without importing any domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PanelItem:
    label: str
    url: str = ""
    count: int | None = None
    note: str = ""
    warn: bool = False


@dataclass
class Panel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    empty_text: str = "暂无。"
    order: int = 100


PanelSource = Callable[[Any], Panel | None]
_sources: list[PanelSource] = []


def register_panel(source: PanelSource) -> None:
    if source not in _sources:
        _sources.append(source)


def home_context(user: Any) -> dict[str, Any]:
    panels = [p for p in (source(user) for source in _sources) if p is not None]
    panels.sort(key=lambda p: p.order)
    return {"panels": panels}
