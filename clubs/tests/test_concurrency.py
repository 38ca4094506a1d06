"""Two redemptions at once cannot overdraw the ledger (PostgreSQL: real row locks)."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from clubs import services
from clubs.models import PointsEntry
from clubs.tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite has no row locks")


def test_two_concurrent_redemptions_cannot_overdraw_the_balance(staff, manager):
    club = f.founded_club(staff, manager)
    member = f.member(staff, club)  # 100 points
    barrier = threading.Barrier(2)
    outcomes = []

    def redeem():
        try:
            barrier.wait()
            services.points_redeem(user=staff, member=member, kind="gift", points=70, reason="礼品")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert services.points_balance(member) == 30
    assert PointsEntry.objects.filter(member=member, points__lt=0).count() == 1
