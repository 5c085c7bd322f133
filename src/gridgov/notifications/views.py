"""The inbox pages. Reads through `for_recipient`, writes through `notifications.services` only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.core.pages import render_list
from gridgov.notifications import services
from gridgov.notifications.filters import NotificationFilterSet
from gridgov.notifications.models import Notification
from gridgov.notifications.selectors import inbox_for, unread_count


def _own(request: HttpRequest, pk: int) -> Notification:
    """The requester's own notification; anyone else's does not exist for them."""
    try:
        return Notification.objects.for_recipient(request.user).get(pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404("未找到该消息。") from exc


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """消息: the user's notifications, newest first, all or unread only."""
    return render_list(
        request,
        queryset=inbox_for(request.user),
        filterset_class=NotificationFilterSet,
        template="notifications/inbox.html",
        partial="notifications/_inbox_table.html",
        context={
            "only_unread": request.GET.get("unread") == "true",
            "unread_total": unread_count(request.user),
        },
        per_page=30,
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about: a path on this site only, else
    back to the inbox (a link to another site is never followed)."""
    notification = _own(request, pk)
    services.mark_read([notification.pk], actor=request.user)
    return redirect(notification.safe_link or reverse("notifications:inbox"))


@login_required
@require_POST
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read: htmx gets the row back, a plain form post the inbox."""
    notification = _own(request, pk)
    services.mark_read([notification.pk], actor=request.user)
    if request.htmx:
        notification = _own(request, pk)
        return render(request, "notifications/_row.html", {"n": notification})
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(actor=request.user)
    if marked:
        messages.success(request, f"已将 {marked} 条消息标为已读。")
    else:
        messages.info(request, "没有未读消息。")
    return redirect("notifications:inbox")
