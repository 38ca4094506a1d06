"""Readable numbers that are unique and never reused, even across deletions."""
from django.db import IntegrityError, transaction
from django.db.models import F

from crm.models import Sequence


def next_value(key: str) -> int:
    """Atomically take the next value of a named counter (safe under concurrent callers)."""
    with transaction.atomic():
        updated = Sequence.objects.filter(key=key).update(value=F("value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, value=1)
                    return 1
            except IntegrityError:
                Sequence.objects.filter(key=key).update(value=F("value") + 1)
        return Sequence.objects.get(key=key).value


def next_values(key: str, count: int) -> range:
    """Take ``count`` consecutive values of a counter at once (a bulk write numbering its rows)."""
    if count <= 0:
        return range(0)
    with transaction.atomic():
        next_value(key)  # creates the counter if needed, and takes the first value
        Sequence.objects.filter(key=key).update(value=F("value") + count - 1)
        last = Sequence.objects.get(key=key).value
    return range(last - count + 1, last + 1)
