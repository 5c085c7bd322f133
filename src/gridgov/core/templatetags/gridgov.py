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
