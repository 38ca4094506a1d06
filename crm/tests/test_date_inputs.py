"""A date picker shows its date in Chinese too. ``<input type="date">`` takes only YYYY-MM-DD
(``datetime-local``: YYYY-MM-DDTHH:MM); Django writes a date it is given (a form's initial
value, a stored date on an edit page) in the language's input format unless told otherwise,
2026/12/07 in Chinese, which the browser drops: the date a form proposed (today) showed empty,
and an edit page showed the stored dates empty, so saving it refused the plan or, for an
optional date, erased it. Every form and filter of the product uses ``crm.forms.date_input`` /
``datetime_input``."""
import copy
import datetime as dt
import importlib
import inspect
from zoneinfo import ZoneInfo

import django_filters
import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

APPS = ("crm", "owners", "complaints", "property_liaison", "mortgage", "clubs", "portal")
WRITTEN = {"date": "2026-12-07", "datetime-local": "2026-12-07T09:30"}


def _pickers():
    for app in APPS:
        for part in ("forms", "filters"):
            try:
                module = importlib.import_module(f"{app}.{part}")
            except ModuleNotFoundError:
                continue
            for name, cls in vars(module).items():
                if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                    continue
                if issubclass(cls, forms.BaseForm):
                    fields = cls.base_fields
                elif issubclass(cls, django_filters.FilterSet):
                    # A filter keeps the field it builds: build it on a copy, or every later
                    # FilterSet of the class would copy this one instead of building its own.
                    fields = {key: copy.deepcopy(f).field for key, f in cls.base_filters.items()}
                else:
                    continue
                for key, field in fields.items():
                    for widget in getattr(field.widget, "widgets", [field.widget]):
                        if getattr(widget, "input_type", None) in WRITTEN:
                            yield f"{module.__name__}.{name}.{key}", widget


PICKERS = list(_pickers())


def test_the_scan_finds_the_pickers_of_every_kind():
    names = {name for name, _ in PICKERS}
    assert {"clubs.forms.EnrollForm.joined_on", "crm.forms.CalendarYearNoticeForm.notice_date",
            "owners.forms.UnitDocumentForm.received_on", "complaints.forms.RegisterForm.received_at",
            "portal.forms.ReportForm.preferred_by"} <= names, sorted(names)
    assert any(name.startswith("complaints.filters.") for name in names)


@pytest.mark.parametrize("name,widget", PICKERS, ids=[name for name, _ in PICKERS])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_picker_writes_its_value_as_the_browser_reads_it(name, widget, language):
    value = dt.date(2026, 12, 7) if widget.input_type == "date" else dt.datetime(2026, 12, 7, 9, 30)
    with translation.override(language):
        assert widget.format_value(value) == WRITTEN[widget.input_type]


@pytest.mark.django_db
def test_the_enrolment_form_proposes_today_in_chinese(client, make_user):
    from clubs.models import Club
    from owners.models import Project

    staff = make_user("cs_supervisor")
    club = Club.objects.create(name="悦邻会", project=Project.objects.create(code="p", name="阳光花园"),
                               founding_plan="方案", status=Club.Status.FOUNDED, created_by=staff)
    client.force_login(staff)
    page = client.get(reverse("clubs:club_detail", args=[club.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'name="joined_on" value="{timezone.localdate().isoformat()}"' in page


@pytest.mark.django_db
def test_an_edit_page_shows_the_stored_dates_in_chinese_and_saving_keeps_them(client, make_user):
    from clubs import activities
    from clubs.models import Club, ClubActivity
    from owners.models import Project

    staff = make_user("cs_supervisor")
    club = Club.objects.create(name="悦邻会", project=Project.objects.create(code="p", name="阳光花园"),
                               founding_plan="方案", status=Club.Status.FOUNDED, created_by=staff)
    activity = activities.activity_create(
        user=staff, club=club, title="亲子活动", kind="single", period_start=dt.date(2026, 12, 20),
        period_end=dt.date(2026, 12, 21), purpose="增进邻里感情", content="手工", format="gathering", budget=100)
    client.force_login(staff)
    url = reverse("clubs:activity_edit", args=[activity.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="period_start" value="2026-12-20"' in page and 'name="period_end" value="2026-12-21"' in page
    # What the browser posts back from that page: the dates as shown, the title changed.
    client.post(url, {"kind": "single", "title": "亲子手工活动", "period_start": "2026-12-20",
                      "period_end": "2026-12-21", "purpose": "增进邻里感情", "content": "手工", "format": "gathering",
                      "budget": "100"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    stored = ClubActivity.objects.get(pk=activity.pk)
    assert (stored.title, stored.period_start, stored.period_end) == (
        "亲子手工活动", dt.date(2026, 12, 20), dt.date(2026, 12, 21))


def test_a_date_and_time_typed_in_the_picker_is_read_in_shanghai_time():
    from complaints.forms import _dt

    field = _dt("受理时间")
    with translation.override("zh-hans"):
        value = field.clean("2026-12-07T09:30")
    assert value == dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
