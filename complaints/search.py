"""What a case's search document holds (crm.search): its title; what it says and what was done
(description, cause, responsibility, plans, result, feedback, the owner's opinion, the reply),
its number and the unit's address; its phone apart. Not the complainant's name: a case is found
by the whole name (complaints.filters.exact_matches), never by a part of it."""
from crm import search

from .models import Complaint, DisposalPlan

FIELDS = ("number", "title", "description", "cause", "responsibility", "execution_result", "feedback_text",
          "owner_opinion", "reply_text", "complainant_phone", "unit", "unit_id", "project",
          "project_id")


def documents(ids) -> dict:
    rows = Complaint.objects.filter(pk__in=ids).values_list(
        "pk", "title", "number", "description", "cause", "responsibility", "execution_result", "feedback_text",
        "owner_opinion", "reply_text", "project__name", "project__address",
        "unit__building__name", "unit__number", "complainant_phone")
    plans: dict[int, list[str]] = {}
    for complaint_id, content in DisposalPlan.objects.filter(complaint_id__in=ids).values_list("complaint_id",
                                                                                                "content"):
        plans.setdefault(complaint_id, []).append(content)
    return {pk: search.Document(title=title, body=" ".join(filter(None, (*texts, *plans.get(pk, ())))),
                                phones=phone)
            for pk, title, *texts, phone in rows}


search.register(Complaint, code=1, build=documents, recency="received_at", fields=FIELDS,
                related={DisposalPlan: "complaint_id"})
