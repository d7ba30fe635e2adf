"""The CalendarYear admin list warns when a year deadlines can soon reach has no calendar."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.directory.models import Role, User
from hotline.workcalendar.models import CalendarYear

URL = "/admin/workcalendar/calendaryear/"
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def admin_client(client, calendar, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # whitenoise warns when the (uncollected) static root is missing
    client.force_login(User.objects.create_superuser(username="root", password="pw-12345678", role=Role.ADMIN))
    return client


@pytest.mark.parametrize("today, drop, warned", [
    (dt.datetime(2026, 11, 20, 9, 0, tzinfo=SH), 2027, "2027"),  # 2027 begins within 60 days
    (dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH), 2026, "2026"),  # the current year itself is missing
    (dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH), 2027, None),  # 2027 is too far away to matter yet
])
def test_changelist_warns_about_missing_years(admin_client, time_machine, today, drop, warned):
    CalendarYear.objects.filter(year=drop).delete()
    time_machine.move_to(today, tick=False)
    response = admin_client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    if warned:
        assert f"尚未载入 {warned} 年节假日安排" in text
    else:
        assert "尚未载入" not in text
