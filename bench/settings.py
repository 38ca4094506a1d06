"""Settings of a load test's web server: the product's, plus the baseline admin changelist at
/bench-admin/ (bench/urls.py), so that the same server answers both in the same run."""
from crm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
