import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shilian.config.settings.test")
