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

    from django.utils import timezone

    from crm.demo import demo_user
    from mortgage.models import FINISHED_STAGES

    TitleCertificateCase.objects.update(late_notified_on=None)
    late = TitleCertificateCase.objects.exclude(stage__in=FINISHED_STAGES).filter(
        due_date__lt=timezone.localdate()).count()
    staff = demo_user("cs_staff")
    before = Notification.objects.filter(recipient=staff).count()
    call_command("runjob", "mortgage.chase_late_certificates")
    assert late > 0 and Notification.objects.filter(recipient=staff).count() - before == late
    first = Notification.objects.count()
    call_command("runjob", "mortgage.chase_late_certificates")
    call_command("runjob", "mortgage.evaluate_litigation")
    call_command("runjob", "mortgage.evaluate_litigation")
    assert Notification.objects.count() == first
    out = capsys.readouterr().out
    assert "mortgage.evaluate_litigation: 0" in out and "mortgage.chase_late_certificates: 0" in out
