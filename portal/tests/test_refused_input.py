"""What an owner typed survives a refusal: the case page's forms (a comment, the plan answer, the
return visit) come back with the owner's words and the reason, instead of an empty page; a page
shown again says that the chosen photos must be chosen again (no browser refills a file input);
a photo that is not one is refused in plain words. Through the pages, reading the rows back."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import (
    Attachment,
    Complaint,
    NegotiationRound,
    ReturnVisit,
    TimelineEntry,
)

from . import test_loop
from .conftest import act, refusals
from .test_cases import jpeg_with_gps, report
from .test_loop import _disposed, plan_approved

staff, reported = test_loop.staff, test_loop.reported  # the loop's fixtures: a case transferred to a handler

pytestmark = pytest.mark.django_db

WORDS = "今天早上开始滴水了，楼下邻居也来敲门"


def test_a_refused_photo_keeps_the_comment_and_asks_for_the_photo_again(client, reported):
    response = act(client, reported.pk, "comment",
                   {"text": WORDS, "photos": [SimpleUploadedFile("a.jpg", b"not a photo")]})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{WORDS}</textarea>" in page
    assert any("照片无法识别" in r for r in refusals(response))
    assert 'data-testid="photos-dropped"' in page
    assert not TimelineEntry.objects.filter(kind="owner_comment").exists() and not Attachment.objects.exists()


def test_a_plan_answer_without_a_choice_keeps_the_owners_words(client, reported, staff):
    plan_approved(reported, staff)
    response = act(client, reported.pk, "plan", {"comment": WORDS})
    assert response.status_code == 200 and f"{WORDS}</textarea>" in response.content.decode()
    assert any("请选择是否同意" in r for r in refusals(response))
    assert not NegotiationRound.objects.exists()


def test_a_disagreement_refused_by_the_service_keeps_the_choice(client, reported, staff):
    plan_approved(reported, staff)
    response = act(client, reported.pk, "plan", {"agreed": "no", "comment": " "})
    page = response.content.decode()
    assert response.status_code == 200 and re.search(r'name="agreed" value="no"[^>]* checked', page)
    assert any("请说明您不同意的原因" in r for r in refusals(response))


def test_a_return_visit_without_satisfaction_keeps_the_third_answer(client, reported, staff):
    _disposed(reported, staff, client)
    response = act(client, reported.pk, "visit", {"handled": "yes", "more_needs": WORDS})
    page = response.content.decode()
    assert response.status_code == 200 and f"{WORDS}</textarea>" in page
    assert any("请选择满意度" in r for r in refusals(response))
    assert not ReturnVisit.objects.exists()
    # the page shown again still offers the older entries from the case's own address
    assert f'action="/m/cases/{reported.pk}/visit/"' in page


def test_a_refused_report_says_the_chosen_photos_must_be_chosen_again(client, place, owner_login):
    owner_login(0)
    response = report(client, place["units"][0], description="", photos=[jpeg_with_gps()])
    assert response.status_code == 200 and 'data-testid="photos-dropped"' in response.content.decode()
    assert not Complaint.objects.exists()
    first_visit = client.get("/m/report/").content.decode()
    assert 'data-testid="photos-dropped"' not in first_visit


def test_a_file_that_is_no_photo_is_refused_in_plain_words(client, place, owner_login):
    owner_login(0)
    response = report(client, place["units"][0], photos=[SimpleUploadedFile("IMG_0001.jpg", b"\x00" * 64)])
    shown = " ".join(refusals(response))
    assert "照片无法识别" in shown and "扩展名" not in shown
    assert not Complaint.objects.exists()
