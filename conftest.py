"""Shared fixtures: users per role, the demo data, and the browser harness."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings as hypothesis_settings

from crm.demo import DEMO_PASSWORD

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = Path(__file__).parent / "test-artifacts"

# Property-based tests explore new examples on a developer's machine; on CI they are repeatable.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
_browser_skips = []


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Mutation runs (scripts/mutation.py) start every pytest session from a migrated copy.

    mutmut runs the tests once per mutant; migrating a fresh test database each time would cost
    far more than the tests. With ``CRM_TEST_DB_TEMPLATE`` set (and ``--reuse-db``), the session
    works on a private copy of that already migrated SQLite file, deleted at the end.
    """
    template = os.environ.get("CRM_TEST_DB_TEMPLATE")
    if not template:
        yield
        return
    from django.conf import settings as django_settings

    work = Path(template).with_name(f"work-{os.getpid()}.sqlite3")
    shutil.copyfile(template, work)
    django_settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(work)
    yield
    for leftover in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
        leftover.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, tmp_path_factory):
    """Uploads, exports and scratch files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.SCRATCH_DIR = tmp_path_factory.mktemp("scratch")  # beside tmp_path, which tests list
    settings.FILE_UPLOAD_TEMP_DIR = str(settings.SCRATCH_DIR)


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    from crm import calendar

    from crm import caching

    cache.clear()
    calendar.forget()
    caching.settle()  # a test starts from a committed state (crm/caching.py)
    yield


@pytest.fixture(autouse=True)
def _office_language():
    """Each test starts in the office's language: a request of an English user activates
    English for the thread (crm.middleware), which would otherwise carry into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def roles(db):
    """The ten groups, rules and approval defaults, as `setup_roles` makes them."""
    from django.core.management import call_command

    from crm import caching

    call_command("setup_roles", verbosity=0)
    caching.settle()  # the groups and rules as committed: cached from the first page on


@pytest.fixture
def make_user(roles):
    """make_user(role, username=None, projects=(), **profile) -> a user with that role and the
    demo password (crm.tests.factories.UserFactory)."""
    from crm.tests.factories import UserFactory

    counter = {"n": 0}

    def factory(role, username=None, projects=(), **profile):
        from crm import caching

        counter["n"] += 1
        user = UserFactory(username=username or f"{role}_{counter['n']}", role=role, projects=list(projects),
                           **{f"role__{key}": value for key, value in profile.items()})
        caching.settle()  # the user's groups as committed (crm/caching.py)
        return user

    return factory


_demo_snapshot = {}


@pytest.fixture
def demo(roles, settings):
    """The whole demo data set (users named after their roles, projects, owners…).

    The first test of a run loads it through the real loaders (services, workflows, history);
    later tests get the same rows back from a serialized snapshot of what that load added,
    and a copy of the files it stored, which takes a fraction of the time.
    """
    from crm import caching

    _load_demo(settings)
    caching.settle()  # the demo as committed (crm/caching.py)


def _load_demo(settings):
    from django.core.exceptions import ObjectDoesNotExist

    from crm.demo import load_all
    from crm.testing import demo_rows_added, restore_rows, snapshot_rows

    if "rows" in _demo_snapshot:
        try:
            restore_rows(_demo_snapshot["rows"])
        except ObjectDoesNotExist:
            # A row made by a data migration is gone (a transactional test flushed the tables):
            # load the demo for real, as its loaders recreate what they need.
            load_all(lambda *_: None)
            return
        if _demo_snapshot["media"].exists():
            shutil.copytree(_demo_snapshot["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)
        return
    before = snapshot_rows()
    load_all(lambda *_: None)
    rows = demo_rows_added(before)
    if rows is not None:
        media = Path(tempfile.mkdtemp(prefix="crm-demo-media-"))
        if Path(settings.MEDIA_ROOT).exists():
            shutil.copytree(settings.MEDIA_ROOT, media, dirs_exist_ok=True)
        _demo_snapshot.update(rows=rows, media=media)


@pytest.fixture
def as_role(client, demo):
    """as_role("front_desk") -> the test client logged in as that demo user."""

    def login(role):
        client.force_login(get_user_model().objects.get(username=role))
        return client

    return login


# --- Browser tests -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (f"Chromium not found at {CHROMIUM}. Install it with: "
                   "apt-get install -y chromium fonts-noto-cjk (never `playwright install`).")
        if os.environ.get("CI"):
            pytest.fail(message)
        _browser_skips.append(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page against the live server; a screenshot is kept if the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15000)
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    # Every page a browser test visits must work under the strict CSP (no inline script or style).
    assert not violations, f"Content Security Policy violations: {violations[:3]}"


@pytest.fixture
def browser_login(page):
    """browser_login(username) logs the page in through the real login form."""

    def login(username, password=DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return login


def pytest_terminal_summary(terminalreporter):
    if _browser_skips:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(_browser_skips[0], red=True)
