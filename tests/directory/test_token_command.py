from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hotline.directory.models import IntegrationToken
from hotline.directory.services import active_integration_token


def run(*args):
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


def test_create_prints_a_working_token_once(city):
    raw = run("create", "--channel", city.channel.code, "--source", "wechat", "--name", "微信")
    token = active_integration_token(raw)
    assert token is not None and token.source == "wechat"
    assert raw not in run("list")


def test_revoke_by_prefix(city):
    raw = run("create", "--channel", city.channel.code, "--source", "s", "--name", "n")
    prefix = IntegrationToken.objects.get().prefix
    run("revoke", "--prefix", prefix)
    assert active_integration_token(raw) is None


def test_unknown_channel_names_the_argument(city):
    with pytest.raises(CommandError, match="--channel"):
        run("create", "--channel", "nope", "--source", "s", "--name", "n")
