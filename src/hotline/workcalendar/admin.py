from django.contrib import admin, messages
from django.http import HttpRequest

from hotline.workcalendar.models import CalendarDay, CalendarYear, DeadlineRule
from hotline.workcalendar.services import missing_calendar_years


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "loaded_at")

    def changelist_view(self, request: HttpRequest, extra_context=None):  # type: ignore[no-untyped-def]
        missing = missing_calendar_years()
        if missing:
            self.message_user(
                request,
                f"尚未载入 {', '.join(map(str, missing))} 年节假日安排：涉及该年度的办理时限按周一至周五估算并在工单上标记。",
                level=messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("box", "appeal_type", "urgency", "amount", "unit")
