"""Shared template helpers of the desks: status badges, the unit picker outside Django forms."""
from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hotline.workorders.models import Status
from hotline.desks.widgets import UnitPicker, unit_choices_with_blank

register = template.Library()

_STATUS_COLOUR: dict[str, str] = {
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


@register.simple_tag
def unit_picker(name: str = "unit", selected: object = None, required: bool = False, id: str = "") -> SafeString:
    """The shared searchable unit picker for a hand-written form: {% unit_picker "unit" order.unit_id %}."""
    attrs = {"id": id or f"id_{name}", **({"required": ""} if required else {})}
    widget = UnitPicker(attrs=attrs)
    widget.choices = unit_choices_with_blank()
    return widget.render(name, selected)
