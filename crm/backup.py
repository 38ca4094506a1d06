"""Consistent database backups and restores.

SQLite: the sqlite3 online-backup API copies a consistent snapshot while the site runs.
PostgreSQL: ``pg_dump --format=custom`` (one transaction, so consistent) and ``pg_restore``.
Backups are dated files in ``settings.BACKUP_DIR``; only the newest ``BACKUP_KEEP`` stay.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

PREFIX = "crm-backup-"


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = dict(os.environ, PGPASSWORD=str(db.get("PASSWORD") or ""))
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432), "-U", str(db.get("USER") or "")]
    return env, args


def backup_database(folder: Path | None = None) -> Path:
    """Write a dated backup and prune old ones; return the new file."""
    folder = Path(folder or settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{PREFIX}{stamp}.{'sqlite3' if _is_sqlite() else 'pgdump'}"
    try:
        if _is_sqlite():
            connection.ensure_connection()
            with sqlite3.connect(target) as dest:
                connection.connection.backup(dest)
            dest.close()
        else:
            env, args = _pg_env_and_args()
            subprocess.run(["pg_dump", *args, "--format=custom", "--no-owner", "-f", str(target),
                            connection.settings_dict["NAME"]], env=env, check=True, capture_output=True)
    except BaseException:
        # A partial copy of the customer data is no backup: it must not be kept (nor counted
        # among the newest BACKUP_KEEP, pushing a good one out).
        target.unlink(missing_ok=True)
        raise
    prune_backups(folder)
    return target


def prune_backups(folder: Path | None = None, keep: int | None = None) -> int:
    folder = Path(folder or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    files = sorted(folder.glob(f"{PREFIX}*"), key=lambda p: p.name, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
    return max(0, len(files) - keep)


def restore_database(source: Path) -> None:
    """Replace the database's contents with a backup. Every table is overwritten."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(gettext("备份文件不存在：{path}").format(path=source))
    if _is_sqlite():
        if source.suffix != ".sqlite3":
            raise ValueError(gettext("SQLite 数据库只能从 .sqlite3 备份恢复。"))
        connection.ensure_connection()
        with sqlite3.connect(source) as src:
            src.backup(connection.connection)
        src.close()
    else:
        if source.suffix != ".pgdump":
            raise ValueError(gettext("PostgreSQL 数据库只能从 .pgdump 备份恢复。"))
        connection.close()
        env, args = _pg_env_and_args()
        subprocess.run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "-d", connection.settings_dict["NAME"], str(source)], env=env, check=True, capture_output=True)


def table_fingerprint() -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every table (for restore drills)."""
    import hashlib

    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from introspection
            digest = 0
            count = 0
            for row in cursor.fetchall():
                digest ^= int.from_bytes(hashlib.sha256(repr(tuple(str(v) for v in row)).encode()).digest()[:8], "big")
                count += 1
            result[table] = (count, digest)
    return result
