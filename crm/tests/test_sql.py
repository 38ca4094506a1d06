"""crm.sql: ids_in (the same rows as ``__in``, without preparing each id through the field) and
plain_values (the same values as values_list, without Django's per-value converters)."""
import pytest

from crm.models import Department
from crm.sql import id_chunks, ids_in

pytestmark = pytest.mark.django_db


def test_ids_in_finds_exactly_the_rows_of_the_listed_ids():
    made = [Department.objects.create(code=f"s{i}", name=f"部门{i}") for i in range(5)]
    wanted = [made[0].pk, made[3].pk, 10 ** 9]
    assert list(Department.objects.filter(ids_in("pk", wanted)).order_by("pk")) == [made[0], made[3]]
    assert list(Department.objects.filter(ids_in("id", [])).values_list("pk", flat=True)) == []
    assert set(Department.objects.exclude(ids_in("pk", wanted)).values_list("pk", flat=True)) == \
        set(Department.objects.exclude(pk__in=wanted).values_list("pk", flat=True))


def test_ids_go_to_the_database_in_chunks_of_the_given_size():
    assert [len(piece) for piece in id_chunks(list(range(4001)), 2000)] == [2000, 2000, 1]
    assert [piece for piece in id_chunks(range(5), 2)] == [[0, 1], [2, 3], [4]]
    assert list(id_chunks([], 2)) == []


def test_a_queryset_is_read_a_chunk_at_a_time_in_id_order_past_the_rows_handled():
    made = [Department.objects.create(code=f"c{i}", name=f"部门{i}") for i in range(5)]
    seen = []
    for chunk in id_chunks(Department.objects.filter(code__startswith="c").order_by("-pk"), 2):
        seen.append(chunk)
        for pk in chunk:  # handled: no longer matches
            Department.objects.filter(pk=pk).update(code=f"done{pk}")
    assert seen == [[made[0].pk, made[1].pk], [made[2].pk, made[3].pk], [made[4].pk]]


def test_a_queryset_left_as_it_is_is_read_once_chunk_after_chunk():
    made = [Department.objects.create(code=f"r{i}", name=f"部门{i}") for i in range(5)]
    chunks = list(id_chunks(Department.objects.filter(code__startswith="r"), 2))
    assert chunks == [[made[0].pk, made[1].pk], [made[2].pk, made[3].pk], [made[4].pk]]


def test_ids_in_refuses_what_is_not_an_id():
    with pytest.raises(ValueError):
        ids_in("pk", ["1; DROP TABLE crm_department"])


def _plain(qs, fields, chunk_size=2):
    from itertools import chain

    from crm.sql import plain_values

    return list(chain.from_iterable(plain_values(qs, fields, chunk_size=chunk_size)))


def test_plain_values_are_the_values_django_gives_nulls_dates_booleans_and_other_converters(make_user):
    """crm.sql.plain_values (the exports' raw reading): the same tuples as values_list, in chunks,
    whatever the column: date-times aware (with and without microseconds, null), dates,
    booleans, a decimal and a JSON field (Django's own converters), through a join."""
    import datetime as dt

    from django.utils import timezone

    from crm.models import CalendarOverride, Notification, Rule

    user = make_user("cs_staff", username="读者")
    at = timezone.make_aware(dt.datetime(2026, 3, 2, 0, 30, 15, 123456))
    for i in range(5):
        Notification.objects.create(recipient=user, title=f"通知{i}", read_at=at if i % 2 else None,
                                    secret=bool(i % 3), sms_params={"n": i})
    Notification.objects.filter(title="通知4").update(created_at=at.replace(microsecond=0))
    qs = Notification.objects.order_by("pk")
    fields = ["pk", "title", "read_at", "created_at", "secret", "sms_params", "recipient__username",
              "recipient__date_joined", "recipient__is_active"]
    assert _plain(qs, fields) == list(qs.values_list(*fields))
    rows = _plain(qs, fields)
    assert rows[1][2] == at and rows[1][2].utcoffset() == dt.timedelta(0) and rows[0][2] is None
    CalendarOverride.objects.create(date=dt.date(2026, 10, 8), is_working_day=False, note="国庆")
    CalendarOverride.objects.create(date=dt.date(2026, 10, 10), is_working_day=True, note="调休")
    assert _plain(CalendarOverride.objects.order_by("date"), ["date", "is_working_day", "note"]) == \
        list(CalendarOverride.objects.order_by("date").values_list("date", "is_working_day", "note"))
    assert _plain(Rule.objects.order_by("key"), ["key", "value"]) == list(Rule.objects.order_by("key").values_list("key", "value"))
    assert _plain(qs.none(), fields) == []
