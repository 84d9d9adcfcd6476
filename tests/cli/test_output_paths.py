"""Output and input paths: ordinary mistakes give a plain message and exit 2, before any work is done."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from twitchlab.cli import _common, app

runner = CliRunner()


@pytest.fixture
def nox(shared_data):
    return shared_data / "text" / "noxturnal_events_example_unicode_2.csv"


def _flat(output: str) -> str:
    return " ".join(output.split())


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "{nox}", "--out", "{file}"],
        ["lm", "{nox}", "--out", "{file}"],
        ["demo", "--out", "{file}"],
    ],
)
def test_out_that_is_a_file_is_refused_plainly(nox, tmp_path, args):
    afile = tmp_path / "afile"
    afile.write_text("x")
    res = runner.invoke(app, [a.format(nox=nox, file=afile) for a in args])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert "internal error" not in out
    assert f"--out {afile}: this is a file, not a folder" in out


def test_json_that_is_a_folder_is_refused_before_the_analysis(nox, tmp_path):
    res = runner.invoke(app, ["analyze", str(nox), "--json", str(tmp_path)])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert f"--json {tmp_path}: this is a folder" in out
    assert "PLMS index" not in out  # refused before the work


def test_out_below_a_file_cannot_be_created(nox, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    res = runner.invoke(app, ["analyze", str(nox), "--out", str(afile / "sub")])
    assert res.exit_code == 2, res.output
    assert f"cannot be created, because {afile} is a file" in _flat(res.output)


def test_unwritable_out_folder_is_refused_before_the_analysis(nox, tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    monkeypatch.setattr(_common, "_can_write", lambda folder: folder != ro)  # root can write anywhere
    res = runner.invoke(app, ["analyze", str(nox), "--out", str(ro / "night")])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert f"--out {ro / 'night'}: cannot be created: {ro} takes no new files" in out
    assert "PLMS index" not in out


def test_real_probe_refuses_proc(nox):
    res = runner.invoke(app, ["analyze", str(nox), "--out", "/proc/twitchlab-out"])
    assert res.exit_code == 2, res.output
    assert "cannot be created" in _flat(res.output)
    assert "file not found" not in res.output


@pytest.mark.parametrize("where", ["source", "annotations"])
def test_a_folder_given_as_input_is_named_a_folder(nox, tmp_path, where):
    args = ["analyze", str(tmp_path)] if where == "source" else ["analyze", str(nox), "-a", str(tmp_path)]
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert f"{tmp_path} is a folder, not a file" in out
    assert "file not found" not in out


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (PermissionError(13, "Permission denied", "/x/out.json"), "permission denied: /x/out.json"),
        (IsADirectoryError(21, "Is a directory", "/x/.tmp", None, "/x/d"), "/x/d is a folder, not a file"),
        (NotADirectoryError(20, "Not a directory", "/x/f/a"), "/x/f/a: part of this path is a file"),
        (FileExistsError(17, "File exists", "/x/f"), "/x/f already exists and is a file"),
    ],
)
def test_handle_errors_maps_os_errors_to_plain_messages(exc, words):
    sub = typer.Typer()

    @sub.command()
    @_common.handle_errors
    def boom() -> None:
        raise exc

    @sub.command()
    def other() -> None:  # two commands, so that `boom` is addressed by name
        pass

    res = runner.invoke(sub, ["boom"])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert words in out
    assert "internal error" not in out
