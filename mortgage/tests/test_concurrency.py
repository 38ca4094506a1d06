"""Two imports of one finance file at once (PostgreSQL, real transactions): the same as one."""
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from crm.models import Notification
from crm.testing import run_at_once
from mortgage.imports import overdue_upload_apply, overdue_upload_receive
from mortgage.models import OverdueRecord, OverdueUpload
from mortgage.tests.conftest import months_ago, row, xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serializes every writer")


def the_file(loans):
    return xlsx([row(loans[0], 3000, months_ago(7), periods=7), row(loans[1], 1000, months_ago(1))])


def test_two_finance_users_applying_the_same_file_at_once_write_it_once(estate, make_user):
    first, second = make_user("finance"), make_user("finance")
    make_user("cs_supervisor")
    today = timezone.localdate()
    # The same bytes twice: a workbook saved again is another file (openpyxl stamps the time of
    # saving, to the second, into it and into the zip), and a file of other bytes is applied on its own.
    sent = the_file(estate["loans"])
    data = sent.read()
    uploads = [overdue_upload_receive(user=user, report_date=today,
                                      uploaded=SimpleUploadedFile(sent.name, data, content_type=sent.content_type))
               for user in (first, second)]
    assert [u.status for u in uploads] == [OverdueUpload.Status.VALID] * 2
    assert uploads[0].sha256 == uploads[1].sha256
    notes = Notification.objects.count()
    outcomes = run_at_once(lambda: overdue_upload_apply(upload=uploads[0], user=first),
                           lambda: overdue_upload_apply(upload=uploads[1], user=second))
    errors = [exc for _, exc in outcomes if exc is not None]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    assert OverdueRecord.objects.count() == 2
    # One creation entry per record and one for the litigation flag: what a single import writes.
    assert OverdueRecord.history.filter(history_type="+").count() == 2 and OverdueRecord.history.count() == 3
    assert OverdueUpload.objects.filter(status=OverdueUpload.Status.APPLIED).count() == 1
    assert Notification.objects.count() - notes == 1  # the litigation flag, once


def test_one_upload_confirmed_twice_at_once_is_applied_once(estate, make_user):
    finance = make_user("finance")
    upload = overdue_upload_receive(user=finance, uploaded=the_file(estate["loans"]),
                                    report_date=timezone.localdate())
    outcomes = run_at_once(lambda: overdue_upload_apply(upload=upload, user=finance),
                           lambda: overdue_upload_apply(upload=upload, user=finance))
    assert sum(exc is None for _, exc in outcomes) == 1
    assert OverdueRecord.objects.count() == 2 and OverdueRecord.history.count() == 3
