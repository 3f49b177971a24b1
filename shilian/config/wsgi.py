import os
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shilian.config.settings.base")
application: Any = get_wsgi_application()

# Cached consumer pages are answered before Django's request cycle (ADR 0006); anything
# else passes through untouched. Imported after setup: it reads models.
from shilian.scan.frontdoor import front_door  # noqa: E402

application = front_door(application)
