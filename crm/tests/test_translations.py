"""The English catalogue is complete, current and consistent.

The catalogue is rebuilt the way `make messages` rebuilds it (the Makefile's own makemessages
options, read from the Makefile) into a copy of the source tree in a temporary folder, and
compared with the committed `locale/en/LC_MESSAGES/django.po`:

- a string marked for translation but missing from the committed catalogue means someone added
  a string and did not run `make messages`;
- an entry without an English msgstr, or marked fuzzy, shows Chinese to an English user;
- the committed `.mo` must hold what the `.po` says (compilemessages was run);
- every msgid containing a domain term of `scripts/glossary_en.py` says it in the glossary's words.
"""
import ast
import gettext
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
# Not source: copying them would only slow the rebuild (makemessages ignores them anyway).
NOT_SOURCE = (".git", ".venv", "node_modules", "var", "static", "__pycache__", "*.pyc", "*.mo", "*.xlsx")

pytestmark = pytest.mark.skipif(shutil.which("msgmerge") is None, reason="needs GNU gettext (apt-get install gettext)")


def parse_po(text: str) -> dict[str, dict]:
    """msgid → {"strs": [msgstr …], "fuzzy": bool}; obsolete (#~) entries are left out."""
    entries = {}
    for block in re.split(r"\n\s*\n", text.strip()):
        fields, key, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries[fields.get("msgctxt", "") + "\x04" + fields["msgid"]] = {"strs": strs, "fuzzy": fuzzy}
    return entries


def makemessages_args() -> list[str]:
    """The arguments `make messages` gives makemessages, so that the test and the Makefile agree."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if "manage.py makemessages" in line:
            return shlex.split(line.split("makemessages", 1)[1])
    raise AssertionError("the Makefile has no makemessages line")


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> dict[str, dict]:
    tree = tmp_path_factory.mktemp("catalogue") / "src"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*NOT_SOURCE), symlinks=True)
    mp = pytest.MonkeyPatch()
    mp.chdir(tree)  # makemessages walks the current folder and writes into the locale/ it finds there
    try:
        call_command("makemessages", *makemessages_args(), verbosity=0)
    finally:
        mp.undo()
    return parse_po((tree / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def committed() -> dict[str, dict]:
    return parse_po(PO.read_text(encoding="utf-8"))


def shown(keys) -> str:
    return "\n".join(sorted(k.split("\x04", 1)[1] for k in keys)[:40])


def test_every_marked_string_is_in_the_committed_catalogue(rebuilt, committed):
    missing = rebuilt.keys() - committed.keys()
    assert not missing, f"{len(missing)} marked strings are not in django.po; run `make messages` and translate them:\n{shown(missing)}"


def test_the_committed_catalogue_holds_no_string_the_code_no_longer_marks(rebuilt, committed):
    stale = committed.keys() - rebuilt.keys()
    assert not stale, f"{len(stale)} entries of django.po are no longer in the code; run `make messages`:\n{shown(stale)}"


def test_every_entry_has_an_english_translation(committed):
    untranslated = [k for k, e in committed.items() if e["fuzzy"] or not all(s.strip() for s in e["strs"])]
    assert not untranslated, f"{len(untranslated)} entries are fuzzy or have no English:\n{shown(untranslated)}"


def test_no_translation_is_still_chinese(committed):
    # Some English texts quote the Chinese column headers an upload must carry, with the English
    # beside them; a msgstr with Chinese and no English word is an untranslated copy.
    chinese = [k for k, e in committed.items()
               if any(re.search(r"[\u4e00-\u9fff]", s) and not re.search(r"[A-Za-z]{3}", s) for s in e["strs"])]
    assert not chinese, f"msgstr still in Chinese:\n{shown(chinese)}"


def test_the_compiled_catalogue_matches_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True, capture_output=True)
    with fresh.open("rb") as a, MO.open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            "django.mo is older than django.po; run `make messages` (it compiles too)")


def test_domain_terms_follow_the_glossary(committed):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from glossary_en import GLOSSARY
    finally:
        sys.path.remove(str(ROOT / "scripts"))

    def norm(s):
        return s.lower().replace("-", " ")

    wrong = [f"{term} → {word}: {key.split(chr(4))[1]!r} = {e['strs'][0]!r}"
             for key, e in committed.items() for term, word in GLOSSARY.items()
             if term in key and not all(norm(word) in norm(s) for s in e["strs"])]
    assert not wrong, "\n".join(wrong[:40])
