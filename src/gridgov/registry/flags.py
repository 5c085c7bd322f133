"""Flags one module raises on a person for another module to act on, without a hard link.

The petitions module flags a person with repeated petitions as a key petitioner; the special
populations module, when installed, answers by opening a 重点信访人员 status. Neither imports the
other: the answering app registers a handler in its apps.py, the raising app calls `raise_flag`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gridgov.registry.models import Person


@dataclass(frozen=True)
class Flag:
    code: str  # e.g. "key_petitioner"
    person: Person
    reason: str  # shown to the people who act on it, in Chinese
    source: str = ""  # what raised it, e.g. a petition's case code


FlagHandler = Callable[[Flag, Any], Any]
_handlers: dict[str, list[FlagHandler]] = {}


def register_flag_handler(code: str, handler: FlagHandler) -> None:
    """Act on every flag `code` raised from now on: `handler(flag, actor)`.

    The handler runs inside the raiser's transaction; a DomainError it raises undoes the raise."""
    handlers = _handlers.setdefault(code, [])
    if handler not in handlers:
        handlers.append(handler)


def handles(code: str) -> bool:
    """Whether any installed module acts on flag `code` (a page may offer the action only then)."""
    return bool(_handlers.get(code))


def raise_flag(flag: Flag, *, actor: Any) -> list[Any]:
    """Pass `flag` to every handler of its code; returns what they returned (empty when none)."""
    return [handler(flag, actor) for handler in _handlers.get(flag.code, [])]
