"""Fill the English catalogue from the glossary below, then compile it.

Usage: .venv/bin/python scripts/translate_en.py   (after `make messages` found new strings)
Strings not in the glossary stay untranslated and show in Chinese.
"""
import re
import subprocess
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from glossary_en import EN  # noqa: E402


def fill(text: str) -> tuple[str, int]:
    filled = 0

    def replace(match):
        nonlocal filled
        msgid = match.group(1)
        if msgid in EN:
            filled += 1
            english = EN[msgid].replace('"', '\\"')
            return f'msgid "{msgid}"\nmsgstr "{english}"'
        return match.group(0)

    text = re.sub(r'^#, fuzzy\n', "", text, flags=re.M)
    text = re.sub(r'msgid "((?:[^"\\]|\\.)+)"\nmsgstr "(?:[^"\\]|\\.)*"', replace, text)
    # plural forms: translate both
    def plural(match):
        nonlocal filled
        msgid = match.group(1)
        if msgid in EN:
            filled += 1
            return (f'msgid "{msgid}"\nmsgid_plural "{match.group(2)}"\nmsgstr[0] "{EN[msgid]}"\n'
                    f'msgstr[1] "{EN.get(match.group(2) + "#plural", EN[msgid])}"')
        return match.group(0)

    text = re.sub(r'msgid "((?:[^"\\]|\\.)+)"\nmsgid_plural "((?:[^"\\]|\\.)+)"\nmsgstr\[0\] "[^"]*"\nmsgstr\[1\] "[^"]*"',
                  plural, text)
    return text, filled


if __name__ == "__main__":
    text, n = fill(PO.read_text(encoding="utf-8"))
    text = text.replace('"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"')
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    print(f"translated {n} strings")
