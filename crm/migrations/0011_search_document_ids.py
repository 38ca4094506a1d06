"""Search documents' ids say which record they are (crm.search: id = kind's code × 2⁴⁰ + the
record's id), so the text index's own ids find a page of records without reading the documents;
PostgreSQL's document marks a title's and a phone's tokens instead of weighting them, so its GIN
index answers "in the title" and "not in a phone" without reading each row's tsvector."""
from django.db import migrations

# The codes as crm.search's registrations give them (complaints/search.py, owners/search.py, ...),
# written out: a migration never imports the registry. A document of another kind is dropped
# (``manage.py rebuild_search --missing`` writes it again).
CODES = {"complaints.complaint": 1, "owners.customer": 2, "clubs.ownerforum": 3, "property_liaison.inspection": 4}
SHIFT = 2 ** 40
_CASE = "CASE kind " + " ".join(f"WHEN '{kind}' THEN {code}" for kind, code in CODES.items()) + " END"
_KNOWN = ", ".join(f"'{kind}'" for kind in CODES)

REIDENTIFY = [f"DELETE FROM crm_searchdocument WHERE kind NOT IN ({_KNOWN})",
              f"UPDATE crm_searchdocument SET id = {_CASE} * {SHIFT} + object_id"]

_SQLITE_UPDATE_TRIGGER = (
    "CREATE TRIGGER crm_searchdocument_au AFTER UPDATE ON crm_searchdocument BEGIN"
    " INSERT INTO crm_searchdocument_fts(crm_searchdocument_fts, rowid, title, body, phones)"
    " VALUES ('delete', old.id, old.title, old.body, old.phones);"
    " INSERT INTO crm_searchdocument_fts(rowid, title, body, phones) VALUES (new.id, new.title, new.body, new.phones);"
    " END")
# The FTS5 index is rebuilt from the documents once rather than row by row through the trigger.
SQLITE = ["DROP TRIGGER crm_searchdocument_au", *REIDENTIFY, _SQLITE_UPDATE_TRIGGER,
          "INSERT INTO crm_searchdocument_fts(crm_searchdocument_fts) VALUES ('rebuild')"]

_MARKED = (r"to_tsvector('simple'::regconfig, title || ' ' || body)"
           r" || to_tsvector('simple'::regconfig, regexp_replace(title, '(\S+)', 't0\1', 'g'))"
           r" || to_tsvector('simple'::regconfig, regexp_replace(phones, '(\S+)', 'p0\1', 'g'))")
_WEIGHTED = ("setweight(to_tsvector('simple'::regconfig, title), 'A')"
             " || setweight(to_tsvector('simple'::regconfig, body), 'B')"
             " || setweight(to_tsvector('simple'::regconfig, phones), 'D')")


def _document(expression):
    return ["DROP INDEX crm_searchdocument_document", "ALTER TABLE crm_searchdocument DROP COLUMN document",
            f"ALTER TABLE crm_searchdocument ADD COLUMN document tsvector GENERATED ALWAYS AS ({expression}) STORED",
            "CREATE INDEX crm_searchdocument_document ON crm_searchdocument USING gin (document)"]


POSTGRESQL = [*REIDENTIFY, *_document(_MARKED)]
POSTGRESQL_REVERSE = _document(_WEIGHTED)  # the ids stay (unique either way)


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0010_owner_message_channels'),
    ]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"postgresql": POSTGRESQL_REVERSE})),
    ]
