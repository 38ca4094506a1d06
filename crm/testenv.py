"""Loaded by pytest (``-p crm.testenv``) before Django: test-mode settings."""
import os

os.environ["CRM_TESTING"] = "1"
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
