"""Tidy output: no blank line before errors and warnings, no `<bool>` on flags, help text shown verbatim."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from twitchlab.cli import app

runner = CliRunner()


@pytest.fixture
def nox(shared_data):
    return shared_data / "text" / "noxturnal_events_example_unicode_2.csv"


def test_analyze_error_starts_the_stderr_without_a_blank_line(tmp_path):
    res = runner.invoke(app, ["analyze", str(tmp_path / "missing.edf")])
    assert res.exit_code == 2
    assert res.stderr.startswith("error:"), repr(res.stderr[:40])


def test_analyze_warnings_start_the_stderr_without_a_blank_line(nox):
    res = runner.invoke(app, ["analyze", str(nox)])
    assert res.exit_code == 0, res.output
    assert res.stderr.startswith("warning:"), repr(res.stderr[:40])


@pytest.mark.parametrize("cmd", [[], ["analyze"], ["demo"], ["lm"], ["info"], ["triage"], ["experiment", "plan"]])
def test_help_shows_no_bool_type_on_flags(cmd):
    res = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    assert "<bool>" not in res.output
    assert "--help" in res.output


def test_help_text_in_brackets_is_shown_not_swallowed():
    res = runner.invoke(app, ["experiment", "plan", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "Nights per block [intervention's default]." in res.output
    assert "Nights per block ." not in res.output
