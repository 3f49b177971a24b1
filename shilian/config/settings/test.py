"""Test settings: the base settings with fast hashing, immediate tasks, in-memory media."""

import os

os.environ.setdefault("SHILIAN_SECRET_KEY", "test-only-not-secret")

from shilian.config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not memory: the concurrency and browser tests use several connections at once,
# as the server does (WAL, busy timeout). pytest-xdist workers get their own suffix.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per process: separate test runs on one machine must not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-shilian-{os.getpid()}.sqlite3")}  # noqa: F405
