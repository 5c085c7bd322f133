"""Printing figures as `name: value` lines and judging them against a script's limits."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Limits = list[tuple[str, str, float]]


def say(name: str, value: Any) -> None:
    print(f"{name}: {value}", flush=True)


def p99(samples: list[float]) -> float:
    """The 99th percentile, nearest rank."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


@contextmanager
def step(name: str, digits: int = 2) -> Iterator[None]:
    """Time a setup step and print it as `<name>_s`."""
    started = time.perf_counter()
    yield
    say(f"{name}_s", f"{time.perf_counter() - started:.{digits}f}")


def report(limits: Limits, figures: dict[str, float], failures: list[str]) -> int:
    """One PASS/FAIL line per limit (and per failure); 0 when everything passed, else 1."""
    ok = not failures
    for name, op, limit in limits:
        value = figures.get(name)
        if value is None:
            verdict, shown = "FAIL", "not measured"
        else:
            passed = value >= limit if op == ">=" else value <= limit
            verdict, shown = ("PASS" if passed else "FAIL"), f"{value:.3g}"
        ok = ok and verdict == "PASS"
        print(f"{verdict} {name} {op} {limit:g}: {shown}")
    for failure in failures:
        print(f"FAIL {failure}")
    return 0 if ok else 1
