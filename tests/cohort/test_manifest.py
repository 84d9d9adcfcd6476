from pathlib import Path

import pandas as pd
import pytest

from twitchlab.cohort import read_manifest, scan_folder
from twitchlab.errors import InputFileError


def _touch(p: Path) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"")
    return p


def test_csv_manifest_resolves_relative_paths_and_keeps_covariates(tmp_path):
    _touch(tmp_path / "a.edf")
    (tmp_path / "m.csv").write_text(
        "night_id,recording,annotations,age,group\nn1,a.edf,a.xml;b.csv,54,rls\nn2,/abs/b.edf,,33,ctl\n"
    )
    m = read_manifest(tmp_path / "m.csv")
    assert m["night_id"].tolist() == ["n1", "n2"]
    assert m.loc[0, "recording"] == str((tmp_path / "a.edf").resolve())
    assert m.loc[0, "annotations"] == [str((tmp_path / "a.xml").resolve()), str((tmp_path / "b.csv").resolve())]
    assert m.loc[1, "annotations"] == []
    assert list(m.columns) == ["night_id", "recording", "annotations", "age", "group"]


def test_tsv_and_parquet_manifests(tmp_path):
    (tmp_path / "m.tsv").write_text("night_id\trecording\nx\tx.edf\n")
    assert read_manifest(tmp_path / "m.tsv")["night_id"].tolist() == ["x"]
    pd.DataFrame({"night_id": ["p"], "recording": ["p.edf"], "sex": ["F"]}).to_parquet(tmp_path / "m.parquet")
    assert read_manifest(tmp_path / "m.parquet")["sex"].tolist() == ["F"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("id2,recording\nx,a.edf\n", "missing column"),
        ("night_id,recording\nx,a.edf\nx,b.edf\n", "repeat"),
        ("night_id,recording\na/b,a.edf\n", "night_id on row"),
        ("night_id,recording,status\nx,a.edf,1\n", "clashes"),
    ],
)
def test_bad_manifests_are_named(tmp_path, text, match):
    (tmp_path / "m.csv").write_text(text)
    with pytest.raises((InputFileError, ValueError), match=match):
        read_manifest(tmp_path / "m.csv")


def test_missing_or_unsupported_manifest(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_manifest(tmp_path / "none.csv")
    (tmp_path / "m.xlsx").write_text("x")
    with pytest.raises(InputFileError, match="unsupported"):
        read_manifest(tmp_path / "m.xlsx")


def test_scan_folder_pairs_annotations_and_skips_hypnogram_edfs(tmp_path):
    _touch(tmp_path / "s1" / "SC4001E0-PSG.edf")
    _touch(tmp_path / "s1" / "SC4001EC-Hypnogram.edf")
    _touch(tmp_path / "s2" / "night2.edf")
    _touch(tmp_path / "s2" / "night2.xml")
    m = scan_folder(tmp_path)
    assert sorted(m["night_id"]) == ["SC4001E0-PSG", "night2"]
    row = m.set_index("night_id").loc["night2"]
    assert row["annotations"] == [str((tmp_path / "s2" / "night2.xml").resolve())]
    sc = m.set_index("night_id").loc["SC4001E0-PSG"]
    assert any("Hypnogram" in a for a in sc["annotations"])
    with pytest.raises(InputFileError, match="no EDF/BDF"):
        scan_folder(tmp_path / "s1", "*.bdf")


def test_empty_and_semicolon_manifests(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputFileError, match="empty"):
        read_manifest(tmp_path / "empty.csv")
    (tmp_path / "semi.csv").write_text("night_id;recording;age\nn1;a.edf;40\n")
    assert read_manifest(tmp_path / "semi.csv")["age"].tolist() == [40]
    (tmp_path / "one.csv").write_text("night_id,recording\nn1,a.edf\n")
    assert read_manifest(tmp_path / "one.csv")["night_id"].tolist() == ["n1"]
