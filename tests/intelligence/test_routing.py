"""Learning categories and units from closed cases; suggestions for the desks and the intake API."""
from __future__ import annotations

import random

import pytest
from django.core.management import CommandError, call_command

from hotline.directory.models import Category
from hotline.intelligence.selectors import suggest_categories, suggest_units
from hotline.workorders.models import Status, WorkOrder
from tests.api.conftest import intake_body, post_json, wechat  # noqa: F401  (fixture)
from tests.intelligence.conftest import SUBJECTS, sentence


@pytest.fixture(autouse=True)
def _data_dir(models_in_tmp):
    return models_in_tmp


@pytest.fixture
def history(city):
    """Closed cases: traffic -> unit A (category 交通), schools -> unit B (category 教育), noise -> A1."""
    parent = Category.objects.create(taxonomy="test", name="城乡")
    cats = {label: Category.objects.create(taxonomy="test", name=label, parent=parent, depth=2) for label in SUBJECTS}
    units = dict(zip(SUBJECTS, [city.unit_a, city.unit_b, city.unit_a1]))
    rng = random.Random(3)
    for label in SUBJECTS:
        for _ in range(15):
            order = city.dispatched(unit=units[label], content="".join(sentence(rng, label)), category=cats[label])
            WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED)
    open_order = city.dispatched(unit=city.unit_b, content="公交线路站台拥堵", category=cats["教育文体"])
    assert open_order.status != Status.CLOSED  # open cases teach nothing
    return cats, units


def test_unit_model_from_closed_cases_ranks_the_right_unit_first(history):
    call_command("classify", "train", "--from-cases", "--target", "unit")
    top = suggest_units(title="", content="公交站台拥堵，班次太少")
    assert len(top) == 3
    assert top[0].pk == history[1]["交通运输"].pk and top[0].name == history[1]["交通运输"].name
    assert top[0].score > top[1].score >= top[2].score and all(0 <= s.score <= 1 for s in top)


def test_category_model_names_both_levels(history):
    call_command("classify", "train", "--from-cases", "--target", "category")
    top = suggest_categories(content="学校老师补课收费，幼儿园招生")
    assert top[0].pk == history[0]["教育文体"].pk and top[0].name == "城乡/教育文体"


def test_without_a_model_there_are_no_suggestions(city):
    assert suggest_units(content="公交站台拥堵") == []


def test_too_few_closed_cases_is_a_clear_error(city):
    with pytest.raises(CommandError, match="too few closed cases"):
        call_command("classify", "train", "--from-cases", "--target", "unit")


def test_from_cases_needs_a_target(city):
    with pytest.raises(CommandError, match="--target"):
        call_command("classify", "train", "--from-cases")


def test_intake_api_returns_top3_categories_and_units(client, history, wechat):  # noqa: F811
    call_command("classify", "train", "--from-cases", "--target", "unit")
    call_command("classify", "train", "--from-cases", "--target", "category")
    response = post_json(client, "/api/intake", intake_body(content="工地噪音和粉尘污染，污水排放"),
                         wechat.headers())
    assert response.status_code == 201
    out = response.json()
    assert [s["id"] for s in out["suggested_units"]][0] == history[1]["环境保护"].pk
    assert out["suggested_categories"][0]["name"] == "城乡/环境保护"
    assert len(out["suggested_units"]) == 3 and all(0 <= s["score"] <= 1 for s in out["suggested_categories"])


def test_intake_api_without_models_returns_empty_suggestions(client, wechat):  # noqa: F811
    response = post_json(client, "/api/intake", intake_body(), wechat.headers())
    assert response.status_code == 201
    assert response.json()["suggested_units"] == [] and response.json()["suggested_categories"] == []


def test_since_bad_date_is_reported(city):
    with pytest.raises(CommandError, match="--since"):
        call_command("classify", "train", "--from-cases", "--target", "unit", "--since", "2024-13-01")
