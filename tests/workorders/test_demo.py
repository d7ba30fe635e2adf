import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hotline.directory.models import Channel, Role, User
from hotline.workorders import demo
from hotline.workorders.models import Event, Status, WorkOrder
from hotline.workorders.services import create_order

CASES = "26"  # two per status on average; the first 13 take each status once


@pytest.fixture
def run_demo(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.DATA_DIR = tmp_path  # suggestion models are written under it

    def run(*extra: str) -> str:
        out = io.StringIO()
        call_command("demo", "--no-serve", "--cases", CASES, *extra, stdout=out)
        return out.getvalue()

    return run


def test_demo_makes_cases_in_every_status(run_demo):
    run_demo()
    statuses = set(WorkOrder.objects.filter(source=demo.DEMO_SOURCE).values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert WorkOrder.objects.count() == int(CASES)


def test_demo_makes_a_login_for_every_role(run_demo):
    output = run_demo()
    roles = set(User.objects.filter(is_active=True).exclude(password__startswith="!").values_list("role", flat=True))
    assert roles == set(Role.values) - {Role.SYSTEM}
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(demo.DEMO_PASSWORD)
    sub_handler = User.objects.get(username="handler_jineshan")
    assert sub_handler.unit.parent.name == "岳阳楼区"
    assert "handler_jineshan" in output and demo.DEMO_PASSWORD in output and "http://127.0.0.1:8000/" in output


def test_demo_histories_are_in_time_order_and_in_the_past(run_demo):
    run_demo()
    now = timezone.now()
    for order in WorkOrder.objects.all():
        events = list(order.events.order_by("seq"))
        assert events[0].kind == "create" and events[0].at == order.received_at
        assert [e.at for e in events] == sorted(e.at for e in events), order.number
        assert events[-1].at <= now
        assert events[-1].to_status == order.status or events[-1].kind == "absorb"


def test_demo_orders_are_handled_by_their_unit_and_merged_into_open_cases(run_demo):
    run_demo()
    for event in Event.objects.filter(actor_role=Role.UNIT_HANDLER).select_related("actor", "unit"):
        assert event.unit_id in {event.actor.unit_id, *event.actor.unit.children.values_list("id", flat=True)}
    for repeat in WorkOrder.objects.filter(status=Status.MERGED):
        assert repeat.merged_into.status not in (Status.MERGED, Status.INVALID)
        assert repeat.merged_into.events.filter(kind="absorb").exists()


def test_running_the_demo_twice_duplicates_nothing(run_demo):
    run_demo()
    counts = (WorkOrder.objects.count(), Event.objects.count(), User.objects.count())
    output = run_demo()
    assert (WorkOrder.objects.count(), Event.objects.count(), User.objects.count()) == counts
    assert "本次新建 0" in output


def test_demo_refuses_a_database_with_real_cases(run_demo):
    channel = Channel.objects.create(code="phone", name="电话")
    create_order(actor=None, fields={"channel": channel, "content": "真实来电"}, source="phone")
    with pytest.raises(CommandError, match="非演示工单"):
        run_demo()
    assert not User.objects.filter(username="operator").exists()


def test_demo_needs_enough_cases_for_every_status(run_demo):
    with pytest.raises(CommandError, match="--cases"):
        call_command("demo", "--no-serve", "--cases", "5", stdout=io.StringIO())


def test_demo_serves_with_gunicorn_and_starts_the_worker(run_demo, monkeypatch):
    calls = []

    class FakePopen:
        def __init__(self, argv):
            calls.append(argv)

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr("subprocess.Popen", FakePopen)
    call_command("demo", "--cases", CASES, "--port", "8123", "--host", "127.0.0.1", stdout=io.StringIO())
    worker, argv = calls
    assert worker[1:] == ["-m", "hotline.cli", "worker", "--verbosity", "0"]
    assert argv[1:4] == ["-m", "gunicorn", "hotline.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "2"


def test_demo_trains_suggestion_models_only_with_enough_closed_cases_and_keeps_them(run_demo, settings):
    from hotline.intelligence import routing

    output = run_demo()
    assert "分类建议模型：已结案工单太少" in output and not routing.model_path("category").exists()
    from hotline.intelligence.classifier import TextClassifier

    path = routing.model_path("unit")
    path.parent.mkdir(parents=True, exist_ok=True)
    TextClassifier.train([("路灯 不亮", ""), ("噪音 扰民", "")] * 3, ["a", "b"] * 3).save(path)
    kept = path.read_bytes()  # a model the city trained: a re-run must not replace it
    assert "派单建议模型：已有，沿用" in run_demo()
    assert path.read_bytes() == kept


def test_demo_does_not_keep_an_unusable_model_file(run_demo):
    from hotline.intelligence import routing

    path = routing.model_path("unit")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"an older format")
    output = run_demo()
    assert "派单建议模型：已有" not in output and "派单建议模型：已结案工单太少" in output
