"""Settings from the environment: a deployment behind TLS (an https:// public origin) gets secure
cookies, the front's protocol header, HSTS when asked, and passes Django's deployment check on
those points; a local pilot (http://) keeps plain cookies. Each case is a fresh process, as a
deployment starts one."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'trusted': s.CSRF_TRUSTED_ORIGINS}))"
)


def _run(args, tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHILIAN_") and k != "DATABASE_URL"}
    base |= {
        "DJANGO_SETTINGS_MODULE": "shilian.config.settings.base",
        "SHILIAN_DATA_DIR": str(tmp_path),
        "SHILIAN_SECRET_KEY": "k" * 20 + "-a-long-random-enough-secret-for-the-deployment-check",
    }
    return subprocess.run(
        [sys.executable, *args], env=base | env, capture_output=True, text=True, timeout=120,
        cwd=settings.BASE_DIR, check=False,
    )  # fmt: skip


def _settings(tmp_path, **env):
    run = _run(["-c", PRINT], tmp_path, **env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_behind_tls_cookies_are_secure_and_the_front_is_believed(tmp_path):
    got = _settings(tmp_path, SHILIAN_PUBLIC_URL="https://trace.example.gov.cn/", SHILIAN_HSTS_SECONDS="31536000")
    assert got == {
        "session": True,
        "csrf": True,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "hsts": 31536000,
        "trusted": ["https://trace.example.gov.cn"],
    }
    check = _run(
        ["-m", "shilian.cli", "check", "--deploy"], tmp_path,
        SHILIAN_PUBLIC_URL="https://trace.example.gov.cn", SHILIAN_HSTS_SECONDS="31536000",
        SHILIAN_ALLOWED_HOSTS="trace.example.gov.cn",
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    for warning in ("W004", "W012", "W016"):  # HSTS, the session cookie, the CSRF cookie
        assert warning not in check.stderr + check.stdout


def test_a_local_pilot_over_http_keeps_plain_cookies(tmp_path):
    got = _settings(tmp_path, SHILIAN_PUBLIC_URL="http://127.0.0.1:8000")
    assert got == {"session": False, "csrf": False, "proxy": None, "hsts": 0, "trusted": ["http://127.0.0.1:8000"]}


@pytest.mark.parametrize("value", ["a year", "-1"])
def test_a_bad_hsts_value_is_named(tmp_path, value):
    run = _run(["-c", PRINT], tmp_path, SHILIAN_HSTS_SECONDS=value)
    assert run.returncode != 0
    assert "SHILIAN_HSTS_SECONDS" in run.stderr
