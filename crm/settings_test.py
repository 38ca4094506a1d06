"""The test suite's settings (pytest.ini): the product's settings, and only what tests change.

Kept apart so that nothing in crm/settings.py depends on being under test.
"""
from crm.settings import *  # noqa: F403
from crm.settings import CACHES, REDIS_URL, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # tasks run in the test's process
CELERY_TASK_EAGER_PROPAGATES = True  # an eager task's error fails the test that caused it
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests log in hundreds of times

if REDIS_URL and env.str("PYTEST_XDIST_WORKER", default=""):
    # Parallel test processes each get a Redis database of their own (clearing the cache
    # between tests flushes the whole database), counting down from the one in REDIS_URL.
    base, _, db = REDIS_URL.rpartition("/")
    worker = int(env.str("PYTEST_XDIST_WORKER").removeprefix("gw") or 0)
    CACHES["default"]["LOCATION"] = f"{base}/{max(int(db or 0) - worker, 0)}" if db.isdigit() else REDIS_URL
