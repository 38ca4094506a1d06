"""Scratch files: what a request or a job writes only while it runs (a workbook being built, a
large upload spooled to disk, an import waiting for its confirm step).

They hold owners' names and phones, so they live under ``var/tmp`` (``settings.SCRATCH_DIR``),
never in the system temp folder, and each is removed by the code that made it when its request
or job ends. What a killed process leaves behind is purged by the daily
``crm.purge_old_exports`` job once it is ``SCRATCH_KEEP_HOURS`` old.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def scratch_dir(name: str = "") -> Path:
    """The scratch folder (or a named folder in it), created if missing."""
    folder = Path(settings.SCRATCH_DIR) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scratch_workspace() -> tempfile.TemporaryDirectory:
    """A private folder for one request or job, removed with everything in it on exit."""
    return tempfile.TemporaryDirectory(dir=scratch_dir(), prefix="work-")


def purge_scratch(now: dt.datetime | None = None) -> int:
    """Remove scratch files and folders older than ``SCRATCH_KEEP_HOURS``; return how many."""
    folder = Path(settings.SCRATCH_DIR)
    if not folder.exists():
        return 0
    cutoff = (now or timezone.now()).timestamp() - settings.SCRATCH_KEEP_HOURS * 3600
    removed, emptied = 0, set()
    for entry in list(folder.rglob("*")):
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)
            emptied.add(entry.parent)
            removed += 1
    # deepest first; a folder a running job made a moment ago is young and stays
    for entry in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if entry.is_dir() and not any(entry.iterdir()) and (entry in emptied or entry.stat().st_mtime < cutoff):
            try:
                entry.rmdir()
            except OSError:  # a file arrived meanwhile: the folder is in use
                continue
            emptied.add(entry.parent)
    return removed
