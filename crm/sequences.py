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
