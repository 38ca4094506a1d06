"""What a customer's search document holds (crm.search): name and code; the address, occupation
and the units they own or rent; the phones apart. Nothing of the
preference profile (客情), which is opened only with a stated reason."""
from crm import search

from .models import Customer, Ownership

FIELDS = ("name", "code", "address", "occupation", "phone", "phone_alt", "project", "project_id")


def documents(ids) -> dict:
    units: dict[int, list[str]] = {}
    for customer_id, *texts in Ownership.objects.filter(customer_id__in=ids).values_list(
            "customer_id", "unit__project__name", "unit__building__name", "unit__number"):
        units.setdefault(customer_id, []).extend(t for t in texts if t)
    rows = Customer.objects.filter(pk__in=ids).values_list("pk", "name", "code", "address", "occupation",
                                                           "project__name", "phone", "phone_alt")
    return {pk: search.Document(title=f"{name} {code}", body=" ".join(filter(None, (*texts, *units.get(pk, ())))),
                                phones=f"{phone} {phone_alt}")
            for pk, name, code, *texts, phone, phone_alt in rows}


search.register(Customer, code=2, build=documents, recency="created_at", fields=FIELDS, related={Ownership: "customer_id"})
