"""What an inspection's search document holds (crm.search): its number and summary, and every
finding (检查发现), so the inspections register finds an inspection by what was found."""
from crm import search

from .models import Finding, Inspection

FIELDS = ("number", "summary")


def documents(ids) -> dict:
    findings: dict[int, list[str]] = {}
    for inspection_id, text in Finding.objects.filter(inspection_id__in=ids).values_list("inspection_id",
                                                                                         "description"):
        findings.setdefault(inspection_id, []).append(text)
    rows = Inspection.objects.filter(pk__in=ids).values_list("pk", "number", "summary")
    return {pk: search.Document(title=" ".join(findings.get(pk, ())), body=f"{number} {summary}")
            for pk, number, summary in rows}


search.register(Inspection, code=4, build=documents, recency="created_at", fields=FIELDS, related={Finding: "inspection_id"})
