"""Django settings. Everything deployment-specific comes from HOTLINE_* environment variables."""
from __future__ import annotations

import datetime as _dt
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HOTLINE_DATA_DIR", Path.cwd() / "var")).resolve()

# --- deployment mode (docs/decisions.md, "Hardening: accounts and headers") -----------------------
# Secure by default: with HOTLINE_SECRET_KEY set and HOTLINE_DEBUG unset the product assumes production
# behind TLS. HOTLINE_INSECURE_LOCAL=1 is the explicit opt-out for a throwaway instance on this machine
# (`hotline demo`, serving plain HTTP on 127.0.0.1, and the test suite set it and say so): a public
# built-in key, cookies without Secure, no HSTS, no HTTPS redirect.
INSECURE_LOCAL = os.environ.get("HOTLINE_INSECURE_LOCAL", "") == "1"
DEBUG = os.environ.get("HOTLINE_DEBUG", "0") == "1"
MISSING_SECRET_KEY = (
    "HOTLINE_SECRET_KEY 未设置：生产环境请设置一个随机长密钥（例如 python3 -c 'import secrets; "
    "print(secrets.token_urlsafe(50))'）；仅本机演示/测试可设置 HOTLINE_INSECURE_LOCAL=1。"
)
SECRET_KEY = os.environ.get("HOTLINE_SECRET_KEY", "")
if not SECRET_KEY:
    if not INSECURE_LOCAL:
        raise ImproperlyConfigured(MISSING_SECRET_KEY)
    SECRET_KEY = "hotline-insecure-local-only-key-never-use-it-on-a-network"
HTTPS_ONLY = not (DEBUG or INSECURE_LOCAL)
ALLOWED_HOSTS = os.environ.get("HOTLINE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",  # login throttling and lockout
    "django_otp",  # two-factor login (TOTP)
    "django_otp.plugins.otp_totp",
    "hotline.directory",
    "hotline.audit",
    "hotline.workcalendar",
    "hotline.workorders",
    "hotline.assessment",
    "hotline.bulletin",
    "hotline.simulate",
    "hotline.desks",
    "hotline.knowledge",
    "hotline.intelligence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hotline.directory.security.IdleSessionMiddleware",
    "hotline.directory.security.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.desks.context.desks",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict[str, object]:
    """postgres://user:pass@host:port/name -> Django DATABASES entry."""
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"HOTLINE_DATABASE_URL: unsupported scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        # JIT compilation cost 0.3-0.5 s per monthly aggregate and saved less (docs/decisions.md).
        "OPTIONS": {"options": "-c jit=off"},
    }


_db_url = os.environ.get("HOTLINE_DATABASE_URL", "")
if _db_url:
    DATABASES = {"default": _database_from_url(_db_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("HOTLINE_SQLITE_PATH", str(DATA_DIR / "hotline.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run beside the single writer; IMMEDIATE takes the write
                # lock at BEGIN so that two writers queue instead of failing mid-transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # A file (not in-memory) test database, unique per test process, so that tests with
            # real concurrent writers exercise SQLite's locking as production does.
            "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"hotline-test-{os.getpid()}.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's validators, with Chinese messages (hotline/directory/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "hotline.directory.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "hotline.directory.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "hotline.directory.passwords.CommonPasswordValidator"},
    {"NAME": "hotline.directory.passwords.NumericPasswordValidator"},
]

# --- accounts: lockout, two-factor login, sessions -------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "django.contrib.auth.backends.ModelBackend",
]
# Lock an account, and separately an address, after this many failures in a row; it unlocks after the
# cool-off or when an administrator deletes its rows under 登录失败记录 in the admin (or `axes_reset`).
AXES_FAILURE_LIMIT = int(os.environ.get("HOTLINE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = _dt.timedelta(minutes=int(os.environ.get("HOTLINE_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "hotline.directory.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "hotline.directory.security.client_ip"
# Roles that must log in with a second factor (superusers too while this is non-empty); everyone else may.
TWO_FACTOR_ROLES = ("admin", "leader")
OTP_TOTP_ISSUER = "12345热线"
# Sessions end after this much inactivity, and when the browser closes.
SESSION_IDLE_MINUTES = int(os.environ.get("HOTLINE_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = 12 * 3600  # and at the latest after a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Case attachments (hotline.workorders.files): stored under the data directory, owner-only permissions,
# type sniffed from the bytes. Office documents, PDF and photos; 10 MB a file, 5 files at a time.
ATTACHMENT_DIR = Path(os.environ.get("HOTLINE_ATTACHMENT_DIR", DATA_DIR / "attachments")).resolve()
ATTACHMENT_MAX_BYTES = int(os.environ.get("HOTLINE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
ATTACHMENT_MAX_FILES = 5
ATTACHMENT_TYPES = {
    "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
    "application/msword": "doc", "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
}

# Share of the cases entering callback in a month that are drawn for manual spot-check calls.
CALLBACK_SAMPLE_RATE = os.environ.get("HOTLINE_CALLBACK_SAMPLE_RATE", "0.10")
# The knowledge base: the assessment's knowledge-penalty counter, reminder and duty working days.
HOTLINE_KNOWLEDGE_MISSES = "hotline.knowledge.selectors.knowledge_misses"
HOTLINE_KB_REMIND_WORKING_DAYS = int(os.environ.get("HOTLINE_KB_REMIND_WORKING_DAYS", "5"))
HOTLINE_KB_DUTY_WORKING_DAYS = int(os.environ.get("HOTLINE_KB_DUTY_WORKING_DAYS", "5"))


# Requests per integration token ("N/min", "N/s", "N/hour"; empty: no limit). Counted in the cache below,
# a directory of files shared by the server's worker processes on this host.
API_TOKEN_RATE = os.environ.get("HOTLINE_API_TOKEN_RATE", "600/min")
CACHES = {
    "default": {
        "BACKEND": "hotline.filecache.LazyFileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

# Background jobs are rows in the database, run by `hotline worker` (hotline.workorders.tasks).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
HOTLINE_SWEEP_MINUTES = int(os.environ.get("HOTLINE_SWEEP_MINUTES", "5"))
# The leader's month figures: a month slow to compute may be shown from a snapshot this old (seconds).
HOTLINE_DASHBOARD_MAX_AGE = int(os.environ.get("HOTLINE_DASHBOARD_MAX_AGE", "120"))
# Where reminders go besides the desk: dotted paths of callables taking a Notification
# (hotline.workorders.notify); e.g. HOTLINE_NOTIFIERS=hotline.workorders.notify.email_notifier
HOTLINE_NOTIFIERS = [p for p in os.environ.get(
    "HOTLINE_NOTIFIERS", "hotline.workorders.notify.log_notifier").split(",") if p.strip()]

# --- headers ----------------------------------------------------------------------------------
# Scripts only from our own static files: no inline script anywhere (the API docs page included).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API docs and scripts read it to send X-CSRFToken
# Behind a TLS-terminating proxy: HOTLINE_BEHIND_PROXY=1 trusts its X-Forwarded-Proto (so no redirect
# loop) and takes the client address for lockouts from the last X-Forwarded-For hop.
BEHIND_PROXY = os.environ.get("HOTLINE_BEHIND_PROXY", "") == "1"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS_ONLY

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HOTLINE_LOG_LEVEL", "WARNING")},
}
