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
