"""Shared template helpers of the desks: status badges."""
from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hotline.workorders.models import Status

register = template.Library()

_STATUS_COLOUR = {
    Status.NEW: "blue", Status.RETURNED: "amber", Status.DISPATCHED: "blue", Status.ACCEPTED: "",
    Status.REPLIED: "amber", Status.CALLBACK: "amber", Status.VERIFYING: "red", Status.UNSATISFIED: "red",
    Status.SUPERVISED: "red", Status.CLOSED: "green", Status.ANSWERED: "green", Status.MERGED: "",
    Status.INVALID: "",
}


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """<span class="badge ...">中文状态</span> for a work-order status code."""
    label = Status(status).label if status in Status.values else status
    return format_html('<span class="badge {}">{}</span>', _STATUS_COLOUR.get(status, ""), label)
