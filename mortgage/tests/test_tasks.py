"""Beat jobs: pinned names, in the schedule, safe to run twice from the command line."""
import pytest
from django.conf import settings
from django.core.management import call_command

from crm.models import Notification


def test_the_mortgage_jobs_are_scheduled_under_their_task_names():
    from mortgage import tasks

    assert tasks.evaluate_litigation.name == "mortgage.evaluate_litigation"
    assert tasks.chase_late_certificates.name == "mortgage.chase_late_certificates"
    for name in ("mortgage.evaluate_litigation", "mortgage.chase_late_certificates"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == name


@pytest.mark.django_db
def test_runjob_twice_notifies_once(demo, capsys):
    from mortgage.models import TitleCertificateCase

    TitleCertificateCase.objects.update(late_notified_on=None)
    call_command("runjob", "mortgage.chase_late_certificates")
    first = Notification.objects.count()
    call_command("runjob", "mortgage.chase_late_certificates")
    call_command("runjob", "mortgage.evaluate_litigation")
    call_command("runjob", "mortgage.evaluate_litigation")
    assert Notification.objects.count() == first
    out = capsys.readouterr().out
    assert "mortgage.evaluate_litigation: 0" in out and "mortgage.chase_late_certificates: 0" in out
