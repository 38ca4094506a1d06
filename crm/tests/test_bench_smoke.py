"""The benchmark suite must not rot: every bench/bench_*.py script runs in --smoke mode (tiny
data on the test database) and prints its result lines with a ratio. Figures are not asserted."""
import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "bench").glob("bench_*.py"))

pytestmark = pytest.mark.django_db


def test_the_suite_has_the_page_benchmarks():
    assert {"bench_register", "bench_case", "bench_dashboard"} <= set(SCRIPTS)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The generator creates the nine role users; hashing their passwords is not what is tested.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_benchmark_prints_a_ratio_line_in_smoke_mode(script, capsys):
    module = importlib.import_module(f"bench.{script}")
    module.main(["--smoke"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if " ratio " in line]
    assert lines, out
    assert all(" ours " in line and " baseline " in line for line in lines)
