"""WSGI entry of the load test's gunicorn (bench.settings: the product and the baseline admin)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
application = get_wsgi_application()
