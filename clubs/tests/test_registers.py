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
