"""The WSGI application with the front door, for granian: ``shilian.scan.wsgi:application``.

``shilian.config.wsgi`` can wrap its own application the same way (see ``frontdoor``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shilian.config.settings.base")
django_application = get_wsgi_application()

# Only once Django is set up: the front door imports models.
from shilian.scan.frontdoor import front_door  # noqa: E402

application = front_door(django_application)
