"""Administrators change schemes as data: copy as a new version or scheme; used versions are frozen."""
import json

import pytest
from django.test import Client

from hotline.assessment.definition import shipped_definition
from hotline.assessment.models import Scheme
from hotline.assessment.services import get_scheme
from hotline.directory.models import User


@pytest.fixture
def admin_client_(db) -> Client:
    user = User.objects.create_superuser("boss", password="pw-12345678", role="admin")
    client = Client()
    client.force_login(user)
    return client


def test_copy_as_new_version_and_as_new_scheme(admin_client_):
    v1 = get_scheme("yueyang-hotline")
    url = "/admin/assessment/scheme/"
    admin_client_.post(url, {"action": "copy_as_new_version", "_selected_action": [v1.pk]})
    admin_client_.post(url, {"action": "copy_as_new_scheme", "_selected_action": [v1.pk]})
    names = sorted(Scheme.objects.values_list("name", "version"))
    assert ("yueyang-hotline", 2) in names and ("yueyang-hotline-copy", 1) in names
    assert Scheme.objects.get(name="yueyang-hotline-copy").definition["name"] == "yueyang-hotline-copy"


def test_unused_version_is_edited_as_json(admin_client_):
    v1 = get_scheme("yueyang-hotline")
    data = shipped_definition("yueyang-hotline")
    data["grades"][0]["min"] = "92"
    got = admin_client_.post(f"/admin/assessment/scheme/{v1.pk}/change/",
                             {"name": v1.name, "definition": json.dumps(data, ensure_ascii=False), "note": "x"})
    assert got.status_code == 302
    v1.refresh_from_db()
    assert v1.definition["grades"][0]["min"] == "92"


def test_broken_definition_is_refused_with_its_path(admin_client_):
    data = shipped_definition("yueyang-hotline")
    data["score"]["expr"] = "0.3 * nothing"
    got = admin_client_.post("/admin/assessment/scheme/add/",
                             {"name": "new-city", "definition": json.dumps(data), "note": ""})
    assert got.status_code == 200 and "$.score.expr" in got.content.decode()
    assert not Scheme.objects.filter(name="new-city").exists()


def test_frozen_version_shows_no_editable_definition(admin_client_):
    v1 = get_scheme("yueyang-hotline")
    Scheme.objects.filter(pk=v1.pk).update(frozen=True)
    page = admin_client_.get(f"/admin/assessment/scheme/{v1.pk}/change/").content.decode()
    assert 'name="definition"' not in page
