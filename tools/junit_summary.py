"""Add up pytest's JUnit reports: one line per run, then the total.

Usage: python tools/junit_summary.py REPORT.xml...  (the run's name is the file's stem)
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.etree import ElementTree


def counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) of one report; errors count as failures."""
    root = ElementTree.parse(path).getroot()  # noqa: S314 - our own pytest's output
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def main(paths: list[str]) -> int:
    total = [0, 0, 0]
    for name in paths:
        path = Path(name)
        if not path.is_file():
            continue
        passed, failed, skipped = counts(path)
        print(f"{path.stem}: {passed} passed, {failed} failed, {skipped} skipped")
        total = [total[0] + passed, total[1] + failed, total[2] + skipped]
    print(f"total: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
