"""The intelligence panels in a real browser: the operator's category suggestions follow the typing, the
dispatcher sees three units per queued case, the leader's hot-topic panel loads after the page and a
topic opens its cases, and a unit handler gets none of it."""
from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from hotline.directory.models import Role
from tests.browser.conftest import desk_login, shot
from tests.intelligence.conftest import models_in_tmp  # noqa: F401  (fixture)
from tests.intelligence.test_hotspots import NOISE, OTHER
from tests.intelligence.test_routing import history  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _data_dir(models_in_tmp):
    return models_in_tmp


def test_operator_sees_categories_follow_the_typing_and_dispatcher_sees_units(page, live_server, city, settings,
                                                                               history):  # noqa: F811
    settings.HOTLINE_INTAKE_TAXONOMY = "test"  # the taxonomy the history's categories belong to
    call_command("classify", "train", "--from-cases", "--target", "category")
    call_command("classify", "train", "--from-cases", "--target", "unit")
    desk_login(page, live_server, city.user(Role.OPERATOR))
    panel = page.locator("#category-suggestions")
    assert "尚未训练" not in panel.inner_text()
    page.fill("#id_content", "学校老师补课收费，幼儿园招生乱收费")
    page.wait_for_selector("#category-suggestions ol.intel-suggest li")
    first = panel.locator("li").first.inner_text()
    assert "教育文体" in first and panel.locator("li").count() == 3
    shot(page, "intel-operator-suggestions")
    panel.locator("li").first.locator("button:has-text('采用')").click()  # fills both category levels
    page.wait_for_function("() => document.querySelector('#id_category').value !== ''")
    assert page.locator("#id_category_parent option:checked").inner_text() == "城乡"
    assert page.locator("#id_category option:checked").inner_text() == "教育文体"
    page.fill("#id_content", "公交站台拥堵，班次太少，早高峰挤不上车")
    page.wait_for_function(
        "() => document.querySelector('#category-suggestions li')?.innerText.includes('交通运输')")
    city.new_order(content="公交站台拥堵，班次太少")
    page.context.clear_cookies()
    desk_login(page, live_server, city.user(Role.DISPATCHER))
    scores = page.locator("[title=模型评分]")
    assert scores.count() >= 3 and all(0 <= float(s) <= 1 for s in scores.all_inner_texts())
    shot(page, "intel-dispatch-units")
    first = page.locator("button[data-pick-unit]").first
    first.click()  # ticks the case and chooses the unit: one more click dispatches it there
    assert page.locator("input[name=picks]:checked").count() == 1
    assert page.locator("#bulk-form select[name$=unit]").input_value() == first.get_attribute("data-pick-unit")


def test_leader_hot_topic_panel_loads_and_opens_its_cases_other_unit_cannot(page, live_server, city):
    cases = [city.dispatched(unit=city.unit_a, title=t, content=t) for t in NOISE]
    for t in OTHER:
        city.dispatched(unit=city.unit_b, title=t, content=t)
    desk_login(page, live_server, city.user(Role.LEADER))
    page.wait_for_selector("#intel-hotspots table.intel-topics")
    row = page.locator("#intel-hotspots table.intel-topics tbody tr").first
    assert "丽发新城" in row.inner_text() and re.search(r"\b5\b", row.inner_text())
    shot(page, "intel-leader-hotspots")
    with page.expect_navigation():
        row.locator("a").click()
    body = page.inner_text("main")
    assert all(o.number in body for o in cases)
    month = timezone.localdate().strftime("%Y-%m")
    page.context.clear_cookies()
    desk_login(page, live_server, city.user("handler_b"))
    response = page.goto(f"{live_server.url}/intel/hotspots/?month={month}")
    assert response.status == 403 and "丽发新城" not in page.content()
