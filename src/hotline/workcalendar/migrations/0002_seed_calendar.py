"""Load every official schedule the chinesecalendar library knows from 2020 on, and the default deadline rules.

Self-contained on purpose (historical models, no import of hotline.workcalendar.services), so later
changes to the services cannot break this migration. It only adds what is missing: rows already present
(e.g. entered by an administrator) are left untouched, and running it twice changes nothing.
"""
from django.db import migrations

FIRST_YEAR = 2020

DEFAULT_RULES = [
    # (box, urgency, amount, unit)
    ("", "", 5, "working_days"),
    ("", "urgent", 2, "working_days"),
    ("", "very_urgent", 24, "hours"),
    ("mailbox", "", 10, "working_days"),
]


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    DeadlineRule = apps.get_model("workcalendar", "DeadlineRule")

    chinese = {h.value: getattr(h, "chinese", h.value) for h in constants.Holiday}
    wanted = {}
    for day, name in constants.holidays.items():
        if day.year >= FIRST_YEAR and day.weekday() < 5:
            wanted[day] = (False, chinese.get(str(name), str(name)))
    for day, name in constants.workdays.items():
        if day.year >= FIRST_YEAR and day.weekday() >= 5:
            wanted[day] = (True, f"{chinese.get(str(name), str(name))}调休上班")
    existing = set(CalendarDay.objects.filter(date__in=list(wanted)).values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, is_workday=is_workday, name=name)
        for day, (is_workday, name) in sorted(wanted.items()) if day not in existing
    )
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    for year in years:
        if year >= FIRST_YEAR:
            CalendarYear.objects.get_or_create(
                year=year, defaults={"source": f"chinesecalendar {chinese_calendar.__version__}"}
            )

    for box, urgency, amount, unit in DEFAULT_RULES:
        DeadlineRule.objects.get_or_create(
            box=box, appeal_type=None, urgency=urgency, defaults={"amount": amount, "unit": unit}
        )


class Migration(migrations.Migration):

    dependencies = [
        ("workcalendar", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
