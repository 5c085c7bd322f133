"""Helpers for page views: scoped lists with filters and htmx partials, domain errors on forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gridgov.core.errors import DomainError


def render_list(
    request: HttpRequest,
    *,
    queryset: Any,
    filterset_class: Any,
    template: str,
    partial: str,
    context: dict[str, Any] | None = None,
    per_page: int = 50,
) -> HttpResponse:
    """Filter a scoped queryset with the app's FilterSet (the same one the API uses) and page it.

    An htmx request (filter change, page link) gets only the table partial.
    """
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound else queryset
    if filterset.is_bound and not filterset.is_valid():
        rows = queryset.none()
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"filter": filterset, "page": page, "query": query.urlencode(), **(context or {})}
    return render(request, partial if request.htmx else template, ctx)


def add_domain_error(form: Any, error: DomainError) -> None:
    """Show a service's refusal on the form: on its field if the form has it, else on top."""
    for field, texts in error.as_dict().items():
        target = field if field in getattr(form, "fields", {}) else None
        for message in texts:
            form.add_error(target, message)


def submit(
    request: HttpRequest,
    form: Any,
    perform: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    next_url: str | Callable[[Any], str],
) -> HttpResponse | None:
    """The one way a page form calls a service.

    On a valid POST, `perform(cleaned_data)` calls the service. Success flashes `success` and
    redirects to `next_url` (either may be a function of the service's result). A DomainError is
    shown on the form, and None tells the view to render the form again.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = perform(form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(next_url(result) if callable(next_url) else next_url)
