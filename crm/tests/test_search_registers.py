"""Every register's 搜索 box (crm.filters.SearchFilter, owners' customer search) also finds records
by the words of their search document (crm.search): a forum by what owners said at it, an
inspection by its findings, a customer by the units they own."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from clubs.models import ForumOpinion
from crm import search
from owners.models import Customer
from owners.selectors import customer_search
from property_liaison.models import Finding

pytestmark = pytest.mark.django_db


def _word_only_in(text: str, *elsewhere: str) -> str:
    """A two-character Chinese word of ``text`` that none of ``elsewhere`` holds."""
    others = " ".join(elsewhere)
    for i in range(len(text) - 1):
        pair = text[i:i + 2]
        if re.fullmatch("[\u4e00-\u9fff]{2}", pair) and pair not in others:
            return pair
    raise AssertionError(f"no word of its own in {text!r}")


def test_the_forums_register_finds_a_forum_by_an_opinion_heard_at_it(as_role):
    client = as_role("cs_staff")
    opinion = ForumOpinion.objects.select_related("forum").first()
    forum = opinion.forum
    word = _word_only_in(opinion.text, forum.number, forum.title, forum.topic, forum.minutes, forum.purpose)
    body = client.get(reverse("clubs:forum_list"), {"q": word}).content.decode()
    assert forum.number in body


def test_the_inspections_register_finds_an_inspection_by_its_findings(as_role):
    client = as_role("cs_staff")
    finding = Finding.objects.select_related("inspection").first()
    inspection = finding.inspection
    word = _word_only_in(finding.description, inspection.number, inspection.summary)
    body = client.get(reverse("property_liaison:inspection_list"), {"q": word}).content.decode()
    assert inspection.number in body


def test_a_customer_is_found_by_the_project_of_a_unit_they_own_but_not_by_a_property_company(demo):
    users = get_user_model().objects
    owner = Customer.objects.filter(ownerships__isnull=False, confidential=False).select_related("project").first()
    project_name = owner.ownerships.select_related("unit__project").first().unit.project.name
    found = customer_search(user=users.get(username="cs_staff"), q=project_name)
    assert owner in found
    assert owner not in customer_search(user=users.get(username="property_company"), q=project_name)


def test_a_search_filter_over_a_model_without_documents_looks_only_at_its_fields():
    from crm.models import Department

    assert search.matches(Department, "漏水", phones=False) is None


def _copy(record, **changes):
    """A copy of a demo record with ``changes`` (saved: its search document follows)."""
    record.pk = None
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    return record


def test_the_forums_register_ranks_the_title_first_and_marks_the_words_where_they_were_said(as_role):
    """Issue 19 §2: forums found by their words are ranked as the complaint register ranks
    (README, Search: title first, newest first in each tier) and the words are marked in the row."""
    import datetime as dt

    from django.utils import timezone

    from clubs.models import OwnerForum

    client = as_role("cs_staff")
    demo_forum = ForumOpinion.objects.select_related("forum").first().forum
    in_title = _copy(OwnerForum.objects.get(pk=demo_forum.pk), number="ZT-T-0001", title="蜂窝煤堆放座谈")
    said = _copy(OwnerForum.objects.get(pk=demo_forum.pk), number="ZT-T-0002", title="楼道管理座谈")
    OwnerForum.objects.filter(pk=in_title.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    opinion = _copy(ForumOpinion.objects.filter(forum=demo_forum).first(), forum=said, text="楼道里有人堆放蜂窝煤")
    assert ForumOpinion.objects.get(pk=opinion.pk).forum_id == said.pk
    body = client.get(reverse("clubs:forum_list"), {"q": "蜂窝煤"}).content.decode()
    assert body.index("ZT-T-0001") < body.index("ZT-T-0002")  # the older title before the newer opinion
    assert "楼道里有人堆放<mark>蜂窝煤</mark>" in body


def test_the_inspections_register_marks_the_finding_that_holds_the_words(as_role):
    client = as_role("cs_staff")
    finding = Finding.objects.select_related("inspection").first()
    _copy(finding, description="消防通道被蜂窝煤堵塞")
    body = client.get(reverse("property_liaison:inspection_list"), {"q": "蜂窝煤"}).content.decode()
    assert finding.inspection.number in body
    assert "消防通道被<mark>蜂窝煤</mark>堵塞" in body
