"""In English, every page of every role speaks English and fits at 1440 and 1024 px.

The pages, roles and variants are those of the layout test (crm/tests/test_browser_layout.py):
every named page, opened by every role the permission matrix lets in, on the demo data. Each
role switches to English the way a user does (the language switch), so the crawl also proves the
choice sticks from page to page.

What counts as data. The demo's names, addresses, titles and descriptions are Chinese, typed by
users, and must stay as typed. Rather than marking every template cell that prints data (a mark
each new template would forget), the test reads every text value stored in the database (every
character, text and JSON field of every model) and removes, from each text on the page, every
stored value that occurs in it, longest first. Chinese left over is a label nobody translated.
A stored value is also taken line by line and item by item ("；" separates the items of a stored
list). A label that happens to equal a stored value exactly would slip through; the one place where
the code stores its own labels, the reason of a history entry (a transition's name), does not count
as data when it is a msgid of the catalogue, because the history shows it translated.
Text that is Chinese on purpose carries ``lang="zh-Hans"``: the "中文" language button, the lawyer's
letter (it goes to the owner in Chinese), the Chinese column headers an upload must carry.

English labels are longer: below 1400px the English bar folds into its menu button (at 1024 px
it shows the brand and the button only), from 1400px it lies on one row.

Also checked, at both widths: the navigation bar does not overflow (nothing of it past the
viewport's right edge, the user menu included) and no button label breaks over lines.
"""
from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import models

from crm.roles import PORTAL_ROLES, Role

STAFF_ROLES = [r for r in Role.values if r not in PORTAL_ROLES]  # who signs in with a password
from crm.tests.test_browser_layout import (
    WIDTHS,
    WRAPPED_LABELS_JS,
    _complete_the_demo,
    _log_in,
    _open,
    page_urls,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u3400-\u9fff]")

# Every visible text of the page (text nodes, placeholders, titles, labels for screen readers),
# except scripts and what is marked as Chinese on purpose.
PAGE_TEXTS_JS = """
() => {
  const skip = (el) => !el || el.closest("script, style, template, noscript, [lang|=zh]");
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    if (text && !skip(node.parentElement)) out.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label], input[type=submit]")) {
    if (skip(el)) continue;
    for (const attr of ["placeholder", "title", "aria-label", "value"]) {
      const value = attr === "value" && el.type !== "submit" ? "" : el.getAttribute(attr);
      if (value && value.trim()) out.push(value.trim());
    }
  }
  out.push(document.title);
  return out;
}
"""

# Parts of the navigation bar that reach past the viewport, or a bar taller than one row.
NAV_OVERFLOW_JS = """
() => {
  const nav = document.querySelector("nav.navbar");
  if (!nav) return [];
  const out = [];
  const width = document.documentElement.clientWidth;
  for (const el of nav.querySelectorAll(".navbar-brand, .nav-link, .btn")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5) out.push(`«${el.innerText.trim()}» ends at ${Math.round(r.right)}px`);
  }
  // One row: every visible item starts within a few pixels of the first (they are centred).
  const tops = [...nav.querySelectorAll(".navbar-nav > .nav-item")].map(li => li.getBoundingClientRect())
    .filter(r => r.width).map(r => r.top);
  if (tops.length && Math.max(...tops) - Math.min(...tops) > 16) out.push("the items take more than one row");
  return out;
}
"""


def stored_texts() -> list[str]:
    """Every Chinese text value in the database, longest first."""
    from crm.tests.test_translations import PO, parse_po

    labels = {key.split("\x04", 1)[1] for key in parse_po(PO.read_text(encoding="utf-8"))}
    values = set()
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for field, value in zip(fields, row):
                found = set(_strings(value))
                # The reason of a history entry is the code's own label when it is a msgid (a
                # transition's name), and the history shows it translated: not data then.
                values.update(found - labels if field == "history_change_reason" else found)
    return sorted((v for v in values if CJK.search(v)), key=len, reverse=True)


def _strings(value):
    if isinstance(value, str):
        yield value.strip()
        # Stored lists come back one item at a time: by line, or by the "；" that separates them.
        yield from (part.strip() for part in re.split(r"[\n；]", value))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def untranslated(texts: list[str], data: list[str]) -> list[str]:
    """The texts that still hold Chinese once the stored values in them are taken out."""
    left, exact = [], set(data)
    for text in texts:
        if not CJK.search(text) or text in exact:
            continue
        rest = text
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
                if not CJK.search(rest):
                    break
        if CJK.search(rest):
            left.append(text)
    return left


def _switch_to_english(page):
    page.locator("form[action$='/i18n/setlang/'] button[value=en]").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "en"


def test_every_page_of_every_role_is_english_and_fits(demo, browser, live_server):
    _complete_the_demo()
    data = stored_texts()
    pages = page_urls()
    chinese, overflow, wrapped, static, visited = {}, [], [], {}, {}
    for role in STAFF_ROLES:  # the owner portal's pages have their own browser test (portal/tests)
        context, page = _log_in(browser, live_server, role, static)
        _switch_to_english(page)
        visited[role] = 0
        for name, variants in pages[role]:
            for url in variants:
                if not _open(page, url):
                    continue
                visited[role] += 1
                for text in untranslated(page.evaluate(PAGE_TEXTS_JS), data):
                    chinese.setdefault(text, f"{role} {url}")
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    overflow += [f"{role} {url} @{width}px: {p}" for p in page.evaluate(NAV_OVERFLOW_JS)]
                    wrapped += [f"{role} {url} @{width}px: {p}" for p in page.evaluate(WRAPPED_LABELS_JS)]
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                if role != Role.ADMIN:
                    break  # the administrator opens every variant; another role, its first
        context.close()
    assert all(visited.values()), visited
    assert not chinese, f"{len(chinese)} Chinese texts on English pages (text — first page):\n" + "\n".join(
        f"{text[:80]} — {where}" for text, where in sorted(chinese.items(), key=lambda kv: kv[1]))
    assert not overflow, "navigation past the edge:\n" + "\n".join(overflow[:40])
    assert not wrapped, "button labels that wrap:\n" + "\n".join(wrapped[:40])
