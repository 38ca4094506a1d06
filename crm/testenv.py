"""Loaded by pytest (``-p crm.testenv``) before Django: test-mode settings."""
import os

# Importing this module imported the crm package, whose Celery app defaults
# DJANGO_SETTINGS_MODULE to the product's settings; the tests run on their own (pytest.ini).
os.environ["DJANGO_SETTINGS_MODULE"] = "crm.settings_test"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
