#!/usr/bin/env python
"""Mutation testing of one rule module with mutmut 3 (QUALITY.md).

    .venv/bin/python scripts/mutation.py clubs       # or: make mutation MODULE=clubs
    .venv/bin/python scripts/mutation.py --list

The module's entry in pyproject.toml ([tool.crm.mutation.<name>]) names the files to mutate,
the rule functions inside each (none: the whole file), and the tests to run. mutmut's own
settings come from [tool.mutmut]; this script narrows them to the module, starts from a fresh
mutants/ folder (so the figures are those of the code and tests as they are now), runs one worker
(the machine is shared) and prints the score and the survivors with their diffs. The report
is also written to var/mutation/<name>.txt.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "mutation"
SEPARATOR = "ǁ"  # mutmut's separator between class and method in a mutant's name


def modules() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["crm"]["mutation"]


def mangled(function: str) -> str:
    """A function's name as mutmut spells its mutants: x_points_earn, xǁWorkingCalendarǁis_working_day."""
    if "." in function:
        cls, method = function.split(".", 1)
        return f"x{SEPARATOR}{cls}{SEPARATOR}{method}"
    return f"x_{function}"


def test_database_template() -> Path:
    """A migrated SQLite file, rebuilt when a migration changes (conftest.py copies it per session)."""
    migrations = sorted(ROOT.glob("*/migrations/*.py"))
    digest = hashlib.sha1()
    for path in migrations:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    template = OUT / f"testdb-{digest.hexdigest()[:12]}.sqlite3"
    if not template.exists():
        for old in OUT.glob("testdb-*.sqlite3*"):
            old.unlink()
        print(f"Migrating the template test database {template.name} …", flush=True)
        partial = template.with_suffix(".partial")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{partial}"}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        partial.rename(template)
    return template


def targets(spec: dict) -> dict[str, list[str]]:
    """{file: [rule functions, or empty for the whole file]} of a module's entry."""
    return {path: list(functions) for path, functions in spec["mutate"].items()}


def prefixes(spec: dict) -> dict[str, list[str]]:
    """{file: the name prefixes of the selected mutants}."""
    result = {}
    for path, functions in targets(spec).items():
        module = path.removesuffix(".py").replace("/", ".")
        result[path] = [f"{module}.{mangled(f)}__mutmut_" for f in functions] or [f"{module}.x"]
    return result


def summarize(name: str, spec: dict) -> tuple[str, float]:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    results, where = {}, {}
    for path, starts in prefixes(spec).items():
        data = SourceFileMutationData(path=Path(path))
        data.load()
        for key, code in data.exit_code_by_key.items():
            if any(key.startswith(p) for p in starts):
                results[key], where[key] = status_by_exit_code[code], path
    counts: dict[str, int] = {}
    for status in results.values():
        counts[status] = counts.get(status, 0) + 1
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    total = len(results)
    score = 100 * killed / total if total else 0.0
    lines = [f"# {name}: {spec.get('title', '')}"]
    lines += [f"mutated: {path} {', '.join(functions) or '(whole file)'}" for path, functions in targets(spec).items()]
    lines += [f"tests: {' '.join(spec['tests'])}", "",
              f"mutants {total}, killed {killed} (timeouts {counts.get('timeout', 0)}), score {score:.1f} %",
              "by status: " + json.dumps(counts, ensure_ascii=False), ""]
    for key in sorted(results, key=lambda k: (k.rsplit("_", 1)[0], int(k.rsplit("_", 1)[1]))):
        if results[key] in ("killed", "timeout"):
            continue
        lines.append(f"## {results[key]}: {key}")
        try:
            lines.append(get_diff_for_mutant(key, path=where[key]))
        except Exception as exc:  # a diff is a convenience; the verdict stands without it
            lines.append(f"(no diff: {exc})")
    return "\n".join(lines) + "\n", score


def main(argv: list[str]) -> int:
    table = modules()
    if not argv or argv[0] in ("-h", "--help", "--list"):
        print(__doc__)
        for name, spec in table.items():
            print(f"  {name:12} {spec.get('title', '')}")
            for path, functions in targets(spec).items():
                print(f"  {'':12}   {path}: {', '.join(functions) or '(whole file)'}")
        return 0 if argv else 2
    name = argv[0]
    if name not in table:
        print(f"Unknown module {name!r}; one of: {', '.join(table)}")
        return 2
    spec = table[name]
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["CRM_TEST_DB_TEMPLATE"] = str(test_database_template())
    os.environ.setdefault("CI", "1")  # repeatable property-based tests (conftest.py's hypothesis profile)
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)

    import mutmut.configuration as configuration

    config = configuration._load_config()
    configuration._config = dataclasses.replace(
        config, only_mutate=list(targets(spec)), pytest_add_cli_args_test_selection=list(spec["tests"]))

    from mutmut.__main__ import cli

    selection = [f"{start}*" for starts in prefixes(spec).values() for start in starts]
    try:
        cli.main(["run", "--max-children", "1", *selection], standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            return int(exc.code) if isinstance(exc.code, int) else 1
    report, score = summarize(name, spec)
    (OUT / f"{name}.txt").write_text(report, "utf-8")
    print()
    print(report)
    print(f"Report written to {OUT / f'{name}.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
