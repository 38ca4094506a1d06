import pytest
from django.urls import reverse

from crm.models import Notification
from crm.notifications import notify


@pytest.mark.django_db
def test_home_shows_the_users_role_and_navigation(as_role):
    response = as_role("front_desk").get(reverse("home"))
    body = response.content.decode()
    assert "工作台" in body and "客户助理(前台)" in body
    assert reverse("admin:index") not in body


@pytest.mark.django_db
def test_admin_sees_system_administration_in_navigation(as_role):
    assert reverse("admin:index") in as_role("admin").get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_manager_dashboard_shows_approvals_waiting(as_role):
    body = as_role("manager").get(reverse("home")).content.decode()
    assert "待我审批" in body


@pytest.mark.django_db
def test_notification_inbox_marks_read_and_follows_local_links_only(as_role):
    from django.contrib.auth import get_user_model

    client = as_role("cs_staff")
    user = get_user_model().objects.get(username="cs_staff")
    notify(recipients=[user], title="本地链接", url="/core/approvals/")
    notify(recipients=[user], title="外部链接", url="https://evil.example/")
    page = client.get(reverse("crm:notification_list"))
    assert "本地链接" in page.content.decode()
    local, external = Notification.objects.get(title="本地链接"), Notification.objects.get(title="外部链接")
    assert client.post(reverse("crm:notification_read", args=[local.pk]))["Location"] == "/core/approvals/"
    assert client.post(reverse("crm:notification_read", args=[external.pk]))["Location"] == reverse("crm:notification_list")
    assert not Notification.objects.filter(pk__in=[local.pk, external.pk], read_at__isnull=True).exists()


@pytest.mark.django_db
def test_marking_another_users_notification_read_is_a_404_and_leaves_it_unread(as_role):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.get(username="cs_supervisor")
    notify(recipients=[other], title="主管的消息", url="/core/approvals/")
    theirs = Notification.objects.get(recipient=other, title="主管的消息")
    client = as_role("cs_staff")
    assert client.post(reverse("crm:notification_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("crm:notification_read", args=[theirs.pk + 10_000])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_empty_states_are_friendly(as_role):
    client = as_role("legal")
    assert "没有消息" in client.get(reverse("crm:notification_list")).content.decode()
    assert "还没有导出过登记簿" in client.get(reverse("crm:export_list")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/clubs/forums/", "/liaison/inspections/", "/owners/", "/complaints/"])
def test_a_filter_that_finds_nothing_says_so_and_offers_to_clear_it(as_role, url):
    """Not "暂无…" (nothing recorded yet), which a user reads as the records being gone."""
    client = as_role("cs_supervisor")
    page = client.get(url, {"q": "绝无此词甲乙丙"}).content.decode()
    assert 'data-testid="empty-filtered"' in page and "没有符合筛选条件的记录" in page and "清除筛选" in page
    plain = client.get(url).content.decode()
    assert 'data-testid="empty-filtered"' not in plain
