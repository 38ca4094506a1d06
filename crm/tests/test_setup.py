"""Settings, demo data and the beat jobs."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.management.commands.runjob import beat_jobs

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("CRM_TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True,
                          text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="crm.example.cn")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", DJANGO_ENV="production", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="")
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_the_products_settings_carry_no_test_wiring():
    """The test client's host and eager-task propagation are the test settings' business
    (crm/settings_test.py), not the product's."""
    result = _manage("shell", "-c", "from django.conf import settings as s; "
                     "print(s.ALLOWED_HOSTS, s.CELERY_TASK_ALWAYS_EAGER, getattr(s, 'CELERY_TASK_EAGER_PROPAGATES', None))",
                     DJANGO_SETTINGS_MODULE="crm.settings")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "['127.0.0.1', 'localhost'] False None"
    assert settings.CELERY_TASK_EAGER_PROPAGATES  # under test


def test_check_deploy_in_production_has_zero_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_ENV="production",
                     DJANGO_SECRET_KEY="k3y-" + "a1b2c3d4e5f6g7h8" * 4, DJANGO_ALLOWED_HOSTS="crm.example.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.django_db
def test_demo_data_loads_twice_without_duplicates(roles):
    from django.contrib.auth import get_user_model

    from owners.models import Customer

    call_command("load_demo", stdout=open(os.devnull, "w"))
    counts = (get_user_model().objects.count(), Customer.objects.count())
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert (get_user_model().objects.count(), Customer.objects.count()) == counts
    assert set(get_user_model().objects.values_list("username", flat=True)) >= {
        "front_desk", "cs_staff", "cs_supervisor", "manager", "project_dept", "finance", "legal",
        "property_company", "admin"}


@pytest.mark.django_db
def test_demo_data_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产模式"):
        call_command("load_demo")


def test_every_beat_job_has_a_registered_task_with_a_pinned_name():
    from crm.celery import app

    app.loader.import_default_modules()
    for name, task in beat_jobs().items():
        assert name == task, "beat entries are named after their task"
        assert task in app.tasks, task


@pytest.mark.django_db
def test_runjob_runs_a_beat_job_once_from_the_command_line(make_user, capsys):
    from crm.models import Notification
    from crm.notifications import notify

    notify(recipients=[make_user("manager")], title="x")
    call_command("runjob", "crm.deliver_pending_notifications")
    assert "crm.deliver_pending_notifications: 1" in capsys.readouterr().out
    assert Notification.objects.get().delivered_at is not None
    with pytest.raises(CommandError):
        call_command("runjob", "no.such_job")


def test_readme_lists_every_beat_job_and_setting_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in beat_jobs():
        assert f"`{name}`" in readme, name
    for variable in ["DJANGO_ENV", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"]:
        assert f"`{variable}`" in readme, variable


def test_embedded_defaults_use_sqlite_and_the_filesystem_broker_under_var():
    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        pytest.skip("running against real servers")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_BROKER_URL == "filesystem://"
    assert "var" in settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]


def test_make_test_collects_the_tests_of_every_app():
    """pytest.ini's testpaths name the folders `make test` collects: an app whose tests are not
    listed there would pass CI without its tests ever running."""
    import configparser

    from django.apps import apps
    from django.conf import settings

    ini = configparser.ConfigParser()
    ini.read(Path(settings.BASE_DIR) / "pytest.ini")
    listed = set(ini["pytest"]["testpaths"].split())
    ours = {Path(c.path).name for c in apps.get_app_configs()
            if Path(c.path).parent == Path(settings.BASE_DIR) and (Path(c.path) / "tests").is_dir()}
    assert ours and ours <= listed, f"apps with tests missing from pytest.ini's testpaths: {sorted(ours - listed)}"
