"""The API's own filters, for the lists that have no register of their own (return visits,
satisfaction surveys): a day from which to list, as the case list's ``received_from`` (a day
written YYYY-MM-DD, China time; a wrong one is a 400 with the field's message)."""
import django_filters
from django.utils.translation import gettext_lazy as _

from crm.calendar import day_start


class ReturnVisitFilter(django_filters.FilterSet):
    # A local day as an instant on ``at`` (a __date lookup converts every row).
    visited_from = django_filters.DateFilter(label=_("回访日期从"), method="visited_since")

    def visited_since(self, queryset, name, value):
        return queryset.filter(at__gte=day_start(value))


class SurveyFilter(django_filters.FilterSet):
    surveyed_from = django_filters.DateFilter(label=_("调查日期从"), field_name="surveyed_on", lookup_expr="gte")
