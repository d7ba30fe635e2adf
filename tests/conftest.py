import pytest

from tests.factories import City, make_city


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_required_second_factor(settings):
    """Tests log the city's admin and leader in with force_login; the second factor they would owe is
    tested on its own (tests/directory/test_two_factor.py, which turns the requirement back on)."""
    settings.TWO_FACTOR_ROLES = ()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached figures are keyed by the newest row ids, which a rolled-back test can hand out again.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def calendar(db) -> None:
    from hotline.workcalendar.models import CalendarYear, DeadlineRule
    from hotline.workcalendar.services import load_official_year, seed_default_rules

    # The migrations seed these; a transactional test's flush removes them, so reload only then.
    if CalendarYear.objects.filter(year__in=(2023, 2024, 2025, 2026)).count() < 4:
        for year in (2023, 2024, 2025, 2026):
            load_official_year(year=year)
    if not DeadlineRule.objects.exists():
        seed_default_rules()


@pytest.fixture
def city(calendar) -> City:
    return make_city()
