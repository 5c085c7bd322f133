from django import template

from gridgov.core.audit_codes import all_codes

register = template.Library()


@register.filter
def audit_label(code: str) -> str:
    return all_codes().get(code or "", code or "")


@register.filter
def indent(depth: int, base: int = 1) -> str:
    """CSS class that indents a tree row by its depth below the list's shallowest row."""
    return f"indent-{max(0, min(4, int(depth) - int(base)))}"


_EMPTY = {"None", "", "null", "[]", "{}"}


@register.filter
def audit_changes(entry) -> list[tuple[str, str, str]]:
    """(field label, before, after) rows of an audit entry, without empty-to-empty noise.

    auditlog writes the string "None" for missing values; a creation shows only what was set.
    """
    rows = []
    for field, (before, after) in (entry.changes_display_dict or {}).items():
        before = "" if str(before) in _EMPTY else str(before)
        after = "" if str(after) in _EMPTY else str(after)
        if before or after:
            rows.append((field, before, after))
    return rows
