"""The 客户座谈会记录 register carries what was heard, not only how many opinions."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def test_the_forum_register_exports_each_opinion_with_its_speaker_and_the_case_it_became(as_role):
    from clubs.models import ForumOpinion

    opinion = ForumOpinion.objects.select_related("forum").order_by("pk").first()
    forum = opinion.forum
    response = as_role("cs_staff").get(reverse("crm:export_register", args=["clubs-forums"]))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header = rows[0]
    row = next(r for r in rows if r[0] == forum.number)
    heard = row[header.index("业主意见")]
    for o in forum.opinions.select_related("complaint"):
        assert o.text in heard
        if o.complaint_id:
            assert o.complaint.number in heard
    assert row[header.index("意见数")] == forum.opinions.count()


# --- Filters an export cannot apply (crm.exports.Register.filter_form) ----------------------

def test_the_forum_register_export_refuses_a_day_that_does_not_exist_or_a_status_it_does_not_offer(as_role):
    from crm.testing import export_refused

    client = as_role("cs_staff")
    assert export_refused(client, "clubs-forums", {"date_from": "2026-02-30"}) == ["从：输入一个有效的日期。"]
    assert export_refused(client, "clubs-forums", {"status": "nonsense"})[0].startswith("状态：")


def test_the_forum_register_export_keeps_exactly_the_forums_of_a_valid_filter(as_role):
    from clubs.models import OwnerForum
    from crm.testing import export_keeps_exactly

    export_keeps_exactly(as_role("cs_staff"), "clubs-forums", {"status": OwnerForum.Status.CLOSED}, "状态",
                         OwnerForum.Status.CLOSED.label)
