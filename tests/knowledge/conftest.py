import pytest

from hotline.directory.models import Role
from hotline.knowledge import services
from tests.factories import UserFactory


@pytest.fixture
def kb(city):
    """The test city plus a knowledge editor and a published article of unit A."""
    city.users["kb_editor"] = city.users.get("kb_editor") or UserFactory(username="kb_editor2", role=Role.KB_EDITOR)
    return city


def publish_article(city, *, title="医疗保险异地就医备案", body="参保人员异地就医前，可通过医保服务平台办理备案手续。",
                    unit=None, **extra):
    at = extra.get("at")
    article = services.create_article(actor=city.user("kb_editor"), title=title, body=body,
                                      unit=unit or city.unit_a, **extra)
    return services.publish(actor=city.user("kb_editor"), article=article, at=at)


@pytest.fixture
def kb_city(kb):
    return kb
