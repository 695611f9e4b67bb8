"""The command line as a user meets it: help, a build, and one-line errors."""

import subprocess
import sys

COMMANDS = ["build", "datasets", "columns", "quarantine", "figures", "run", "changes",
            "fetch-lists"]


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_help_explains_every_command():
    result = cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_build_reports_rows_and_a_second_build_is_a_no_op(data_dir):
    first = cli("build")
    assert first.returncode == 0, first.stderr
    assert "prisoner_counts" in first.stderr and "built" in first.stderr
    second = cli("build")
    assert "built" not in second.stderr and "fresh" in second.stderr


def test_a_malformed_file_ends_in_one_line_without_traceback(data_dir):
    (data_dir / "raw" / "belarus" / "relief_events.csv").write_text("nonsense\n1\n")
    result = cli("build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error:") and "relief_events.csv" in lines[-1]
