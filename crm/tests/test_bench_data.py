"""CI smoke runs of the export, overdue-import and SLA-scan benchmarks (tiny data on the test
database): the scripts must keep running; their figures are not asserted here."""
import pytest

pytestmark = pytest.mark.django_db


def test_the_export_benchmark_runs_and_prints_its_ratios(roles, capsys):
    from bench import bench_export

    lines = bench_export.main(["--smoke"])
    assert any("vs django-import-export" in line and "ratio" in line for line in lines)
    assert any("peak RSS growth" in line for line in lines)


def test_the_import_benchmark_runs_and_prints_its_ratios(roles, capsys):
    from bench import bench_import
    from mortgage.models import OverdueRecord

    lines = bench_import.main(["--smoke"])
    assert any("first list" in line and "ratio" in line for line in lines)
    assert not OverdueRecord.objects.exists()  # every measured run is rolled back


def test_the_sla_benchmark_runs_and_leaves_the_clocks_as_they_were(roles, capsys):
    from bench import bench_sla
    from bench.common import parse_args, setup
    from complaints.models import SlaClock

    setup(parse_args(["--smoke"]))
    before = SlaClock.objects.count()
    lines = bench_sla.main(["--smoke"])
    assert any("sla scan" in line and "ratio" in line for line in lines)
    assert SlaClock.objects.count() == before
