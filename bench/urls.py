"""URLs while a benchmark runs: the product's, plus the baseline admin changelist."""
from django.urls import path

from bench.baseline_admin import search_site, site
from crm.urls import urlpatterns as product_urls

urlpatterns = [path("bench-admin/", site.urls), path("bench-search-admin/", search_site.urls), *product_urls]
