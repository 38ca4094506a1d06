"""Backup drill: back up, wipe, restore, and compare counts and a checksum of every table."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.backup import backup_database, prune_backups, restore_database, table_fingerprint
from owners.models import Customer


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_every_table(demo, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    before = table_fingerprint()
    assert before["owners_customer"][0] > 0
    path = backup_database()
    call_command("flush", "--noinput")  # the wipe: every table emptied
    assert not Customer.objects.exists()
    assert table_fingerprint() != before
    restore_database(path)
    assert table_fingerprint() == before


def test_retention_keeps_the_newest(tmp_path):
    for day in range(1, 6):
        (tmp_path / f"crm-backup-2026110{day}-023000.sqlite3").write_text("x")
    assert prune_backups(tmp_path, keep=3) == 2
    assert sorted(p.name[11:19] for p in tmp_path.iterdir()) == ["20261103", "20261104", "20261105"]


@pytest.mark.django_db
def test_restore_asks_for_confirmation_and_a_real_file(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x.sqlite3"))
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "missing.sqlite3"), "--yes")
