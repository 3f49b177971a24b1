"""Django settings for shilian: plain assignments, values from settings.env."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from shilian.config.settings.env import env_bool, env_int, env_list, env_path, env_str, get_secret

BASE_DIR = Path(__file__).resolve().parents[3]
DATA_DIR = env_path("SHILIAN_DATA_DIR", BASE_DIR / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and uploads live here

DEBUG = env_bool("SHILIAN_DEBUG", default=False)
# `make run` is a local pilot: it sets SHILIAN_DEBUG=0 and a generated secret in var/.
SECRET_KEY = get_secret("SHILIAN_SECRET_KEY", debug=DEBUG, dev_default="dev-only-not-secret")
ALLOWED_HOSTS = env_list("SHILIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for the project's form renderer
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "shilian.core",
    "shilian.registry",
    "shilian.catalog",
    "shilian.chain",
    "shilian.codes",
    "shilian.scan",
    "shilian.interop",
    "shilian.ledger",
    "shilian.sunshine",
    "shilian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shilian.core.middleware.OperationMiddleware",
]

ROOT_URLCONF = "shilian.config.urls"
WSGI_APPLICATION = "shilian.config.wsgi.application"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"  # forms render with the project's templates

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shilian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shilian.registry.context.scope",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'shilian.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
# The trace and recall-impact statements run as named prepared statements on PostgreSQL (the
# plan is made once per connection: −1.3 ms a trace, ADR 0011). Behind a pooler that hands a
# client another server connection between statements without tracking them (PgBouncer in
# transaction mode before 1.21, or with max_prepared_statements = 0) set this to 0.
SHILIAN_PG_PREPARE = env_bool("SHILIAN_PG_PREPARE", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement only when asked (core.db.bound_cursor): never by counting runs
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1 if SHILIAN_PG_PREPARE else None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
AUTHENTICATION_BACKENDS = ["shilian.core.login.ThrottledBackend"]  # ModelBackend with a brake on guessing
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "shilian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "shilian" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploaded certificates, invoices and test reports.
SHILIAN_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Trace codes: the public origin printed in every code (GS1 Digital Link and /t/ short links),
# and the TrueType CJK font embedded (as a subset) in label PDFs; empty = look in the usual places.
SHILIAN_PUBLIC_URL = env_str("SHILIAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
SHILIAN_LABEL_FONT = env_str("SHILIAN_LABEL_FONT", "")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000  # a page of the API's lists: more is a 422 naming `limit`

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SHILIAN_LOG_LEVEL", "WARNING")},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Served over TLS (the public origin is https://, TLS ended at the front, deploy/nginx): cookies
# only over HTTPS, the front's X-Forwarded-Proto believed (the front sets it on every request),
# and HSTS for as long as SHILIAN_HSTS_SECONDS says (0 = none: it is a promise the host must keep).
# The public origin is trusted for CSRF, so a form posts even if the front forwards plain HTTP.
_PUBLIC = urlsplit(SHILIAN_PUBLIC_URL)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _PUBLIC.scheme == "https"
if _PUBLIC.scheme == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SHILIAN_HSTS_SECONDS", 0)
CSRF_TRUSTED_ORIGINS = [f"{_PUBLIC.scheme}://{_PUBLIC.netloc}"]
