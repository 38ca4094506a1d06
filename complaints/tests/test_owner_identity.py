"""Every count of distinct owners uses one identity (owners.identity): an owner found by the
phone lookup once and typed by name and phone another time is one owner."""
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints.models import Complaint

pytestmark = pytest.mark.django_db


def _entry_by_lookup(client, owner, unit, title):
    """The front desk finds the owner by the last digits of the phone and picks the unit."""
    url = reverse("complaints:entry") + f"?phone={owner.phone[-4:]}"
    response = client.post(url, {"owner_unit": f"{owner.pk}:{unit.pk}", "kind": "complaint", "channel": "phone",
                                 "category": "equipment", "title": title, "description": "电梯停运"})
    assert response.status_code == 302, response.content.decode()
    return Complaint.objects.get(title=title)


def _entry_typed(client, project, name, phone, title):
    """The front desk types the caller's name and phone instead of picking the owner."""
    response = client.post(reverse("complaints:entry"), {
        "complainant_name": name, "complainant_phone": phone, "project": project.pk, "kind": "complaint",
        "channel": "phone", "category": "equipment", "title": title, "description": "电梯停运"})
    assert response.status_code == 302, response.content.decode()
    return Complaint.objects.get(title=title)


def _link_all(client, cases):
    client.post(reverse("complaints:link_event", args=[cases[0].pk]), {"title": "1栋电梯停运"})
    event = Complaint.objects.get(pk=cases[0].pk).event
    for case in cases[1:]:
        client.post(reverse("complaints:link_event", args=[case.pk]), {"event": event.pk})
    return event


def test_an_owner_found_once_and_typed_once_is_one_owner_of_the_event(client, place, users):
    """Four owners, two of them twice (lookup + typed as +86 …): not five owners, not major."""
    owners, units, project = place["owners"], place["units"], place["project"]
    client.force_login(users["front_desk"])
    cases = [_entry_by_lookup(client, owners[i], units[i], f"电梯停运{i}") for i in range(4)]
    phone = owners[0].phone
    cases.append(_entry_typed(client, project, owners[0].name, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}", "电梯又停"))
    # and another of the four calls from the Beijing landline on file as 其他电话, dialled with +86
    # (area code 10, not a mobile)
    type(owners[1]).objects.filter(pk=owners[1].pk).update(phone_alt="010-88880002")
    cases.append(_entry_typed(client, project, "业主家属", "+86 10 8888 0002", "电梯还停"))
    client.force_login(users["cs_staff"])
    event = _link_all(client, cases)
    rows = Complaint.objects.filter(event=event)
    assert rows.count() == 6
    assert set(rows.values_list("severity", flat=True)) == {""}
    assert not rows.exclude(major_reason="").exists()
    event.refresh_from_db()
    assert event.major_at is None

    # a fifth owner, typed by hand with a phone on file as 其他电话: now five owners
    fifth = owners[4]
    type(fifth).objects.filter(pk=fifth.pk).update(phone_alt="0571-88880005")
    client.force_login(users["front_desk"])
    typed = _entry_typed(client, project, fifth.name, "057188880005", "电梯停运五")
    other = _entry_typed(client, project, "路人甲", "13911112222", "电梯停运六")
    client.force_login(users["cs_staff"])
    client.post(reverse("complaints:link_event", args=[typed.pk]), {"event": event.pk})
    assert set(Complaint.objects.filter(event=event).values_list("severity", flat=True)) == {"major"}
    assert Complaint.objects.get(pk=typed.pk).major_reason.startswith("同一事件“1栋电梯停运”已有5户业主投诉")
    client.post(reverse("complaints:link_event", args=[other.pk]), {"event": event.pk})
    assert Complaint.objects.get(pk=other.pk).severity == "major"


def test_the_weekly_report_counts_an_owner_found_once_and_typed_once_as_one_repeat_complainant(
        client, place, users):
    owners, units, project = place["owners"], place["units"], place["project"]
    client.force_login(users["front_desk"])
    _entry_by_lookup(client, owners[1], units[1], "门禁失灵")
    phone = owners[1].phone
    _entry_typed(client, project, owners[1].name, f"0086-{phone}", "门禁又坏")
    _entry_by_lookup(client, owners[2], units[2], "路灯不亮")
    # a caller not in the customer file, typed twice with the same phone written two ways
    _entry_typed(client, project, "路人丙", "139 1111 4444", "夜间噪音")
    _entry_typed(client, project, "路人丙", "+86 13911114444", "又有噪音")
    client.force_login(users["manager"])
    page = client.get(reverse("complaints:weekly"))
    assert [r["count"] for r in page.context["data"]["repeat"]] == [2, 2]
    response = client.get(reverse("crm:export_register", args=["complaints-weekly"]))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    # The manager sees phones in full (owners.masking), in the export as on the case page.
    assert [(r[1], r[2]) for r in rows if r[0] == "重复投诉"] == [(phone, 2), ("13911114444", 2)]
    # A report stored for whoever opens it later (the daily and weekly jobs) keeps them masked.
    from complaints.services import report_build

    today = timezone.localdate()
    stored = report_build(period="daily", start=today, end=today)
    assert [(r["phone"], r["count"]) for r in stored.data["repeat"]] == [(phone[:3] + "****" + phone[-4:], 2),
                                                                       ("139****4444", 2)]


def test_the_customer_page_lists_the_cases_typed_with_the_customers_phone(client, place, users):
    owners, units, project = place["owners"], place["units"], place["project"]
    client.force_login(users["front_desk"])
    found = _entry_by_lookup(client, owners[3], units[3], "楼道积水")
    typed = _entry_typed(client, project, owners[3].name, f"+86{owners[3].phone}", "楼道又积水")
    stranger = _entry_typed(client, project, "路人乙", "13911113333", "路人投诉")
    # cases typed before phones were stored without the country code keep the digits as typed
    type(owners[3]).objects.filter(pk=owners[3].pk).update(phone_alt="0571-88880003")
    legacy = [_entry_typed(client, project, owners[3].name, "13800000000", f"旧案{i}") for i in range(3)]
    for case, stored in zip(legacy, ["86" + owners[3].phone, "0086" + owners[3].phone, "8657188880003"]):
        Complaint.objects.filter(pk=case.pk).update(phone_digits=stored)
    client.force_login(users["cs_supervisor"])
    page = client.get(reverse("owners:customer_detail", args=[owners[3].pk]), {"tab": "cases"})
    assert page.status_code == 200
    numbers = {c.number for c in page.context["cases"]}
    assert numbers == {found.number, typed.number, *(c.number for c in legacy)}
    assert stranger.number not in numbers
