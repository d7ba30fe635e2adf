"""Secure by default: production behaviour from the environment alone, the explicit local opt-out, headers.

The production tests run `hotline` in a subprocess whose environment holds exactly the variables named
(the test suite itself runs with HOTLINE_INSECURE_LOCAL=1, see hotline/test_settings.py).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import hotline

KEY = "k3y-" + "f" * 20 + "Q8zR2mLx7vT0pWc5nYh1sJd9bGe4kA6u"  # 56 characters, varied, not "django-insecure"
PRODUCTION = {"HOTLINE_SECRET_KEY": KEY, "HOTLINE_ALLOWED_HOSTS": "hotline.example.gov.cn"}

PROBE = """
import json
from django.conf import settings
from django.test import Client
names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
         "SECURE_PROXY_SSL_HEADER"]
values = {n: getattr(settings, n, None) for n in names}
client = Client(HTTP_HOST="hotline.example.gov.cn")
plain = client.get("/login/")
tls = client.get("/login/", secure=True)
values["plain"] = [plain.status_code, plain.get("Location", "")]
values["tls_hsts"] = tls.get("Strict-Transport-Security", "")
values["tls_cookie_secure"] = bool(tls.cookies["csrftoken"]["secure"])
print(json.dumps(values))
"""


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def probe(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    result = run(["shell", "-c", PROBE], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_with_exactly_the_two_variables(tmp_path: Path) -> None:
    result = run(["check", "--deploy", "--fail-level", "WARNING"], dict(PRODUCTION), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_is_https_only_by_default(tmp_path: Path) -> None:
    values = probe(dict(PRODUCTION), tmp_path)
    assert values["DEBUG"] is False and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000  # type: ignore[operator]
    assert values["plain"] == [301, "https://hotline.example.gov.cn/login/"]
    assert "max-age=31536000" in values["tls_hsts"] and "includeSubDomains" in values["tls_hsts"]  # type: ignore[operator]
    assert values["tls_cookie_secure"] is True


def test_behind_a_proxy_its_header_says_https(tmp_path: Path) -> None:
    values = probe({**PRODUCTION, "HOTLINE_BEHIND_PROXY": "1"}, tmp_path)
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_without_a_key_the_product_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    for args in (["check"], ["migrate"], ["seed", "--city", "yueyang"]):
        result = run(args, {"HOTLINE_ALLOWED_HOSTS": "hotline.example.gov.cn"}, tmp_path)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "HOTLINE_SECRET_KEY 未设置" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "hotline.sqlite3").exists()


def test_the_local_opt_out_is_explicit_and_plain_http(tmp_path: Path) -> None:
    values = probe({"HOTLINE_INSECURE_LOCAL": "1", "HOTLINE_ALLOWED_HOSTS": "hotline.example.gov.cn"}, tmp_path)
    assert not values["SESSION_COOKIE_SECURE"] and values["SECURE_HSTS_SECONDS"] == 0
    assert values["plain"][0] == 200  # type: ignore[index]


def test_the_demo_says_it_opts_out(tmp_path: Path) -> None:
    result = run(["demo", "--cases", "1"], {}, tmp_path)  # refused by its own argument check, after the notice
    assert "HOTLINE_INSECURE_LOCAL=1" in result.stderr and "不得用于生产" in result.stderr
    assert "HOTLINE_SECRET_KEY 未设置" not in result.stderr


# --- headers ------------------------------------------------------------------------------------

def csp_directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login/", "/api/docs", "/admin/login/"])
def test_every_page_gets_the_strict_headers(db, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert not any("unsafe" in v for values in directives.values() for v in values)
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _templates() -> list[Path]:
    import django.contrib.admin
    import ninja

    roots = [Path(hotline.__file__).parent, Path(django.contrib.admin.__file__).parent, Path(ninja.__file__).parent]
    return [p for root in roots for p in root.rglob("*.html") if "templates" in p.parts]


def test_no_template_has_inline_script_or_event_handlers() -> None:
    templates = _templates()
    assert len(templates) > 20
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.S):
            if "src=" not in tag and 'type="application/json"' not in tag and "json_script" not in tag:
                offenders.append(f"{path}: {tag}")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text) or "javascript:" in text:
            offenders.append(f"{path}: handler or javascript: URL")
    # ninja's CDN variants and its Redoc page are not served (ninja is installed; the docs page is Swagger UI).
    offenders = [o for o in offenders if "_cdn.html" not in o and "ninja/redoc.html" not in o]
    assert offenders == []
