from __future__ import annotations

import re

import pytest

from twitchlab.report.pdf import write_pdf
from twitchlab.report.render import report_context
from twitchlab.report.wording import TWITCH_KEYS

_PAGE = re.compile(rb"/Type\s*/Page\b")


def _pages(path) -> int:
    return len(_PAGE.findall(path.read_bytes()))


@pytest.mark.parametrize("profile", ["healthy", "plms", "apnea"])
def test_pdf_has_the_expected_pages(written, profile):
    res, paths, titles = written[profile]
    data = paths["pdf"].read_bytes()
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")
    assert _pages(paths["pdf"]) == len(titles)
    expected = [
        "The short answer",
        "The night at a glance",
        "Time between movements and how long they lasted",
        "All measurements, with reference values",
        "For the clinician",
    ]
    sections = [part for t in titles for part in t.split(" / ")]
    assert [t for t in sections if t in expected] == expected
    has_twitch = any(res.summary.get(k) is not None for k in TWITCH_KEYS)
    assert ("What kind of twitches" in sections) == has_twitch
    assert titles[0].startswith("The short answer")
    # the events table continues over as many pages as it needs (about 70 rows a page)
    n_event_pages = titles.count("All events (continued)") + 1
    assert n_event_pages >= len(res.events) // 90


def _blank(result, *, width_in=7.0):
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, 1.0))


def test_pdf_gets_optional_pages_and_more_event_pages(hand, tmp_path, monkeypatch):
    import dataclasses

    import pandas as pd

    from twitchlab.report import figures

    # the layout is under test here, not the figures: draw blank ones (fast)
    monkeypatch.setattr(figures, "FIGURES", tuple((k, _blank, a) for k, _, a in figures.FIGURES))
    monkeypatch.setattr(figures, "plot_quality", _blank)
    res = hand("healthy")
    res = dataclasses.replace(res, summary={**res.summary, "hypnic_jerk_count": 3})
    titles = write_pdf(res, tmp_path / "a.pdf", context=report_context(res), findings_text=["You said X."], dpi=30)
    assert "What kind of twitches" in " / ".join(titles)
    assert _pages(tmp_path / "a.pdf") == len(titles)
    more = dataclasses.replace(res, events=pd.concat([res.events] * 3, ignore_index=True))
    titles_more = write_pdf(more, tmp_path / "b.pdf", context=report_context(more), findings_text=[], dpi=30)
    assert titles_more.count("All events (continued)") > titles.count("All events (continued)")


def test_pdf_option_values_wrap_instead_of_being_cut(hand, tmp_path, monkeypatch):
    """A long parameter value is drawn whole on more lines (no '…', nothing past its column)."""
    import dataclasses

    from twitchlab.report import figures
    from twitchlab.report import pdf as pdf_mod

    monkeypatch.setattr(figures, "FIGURES", tuple((k, _blank, a) for k, _, a in figures.FIGURES))
    monkeypatch.setattr(figures, "plot_quality", _blank)
    kinds = ["hypnic_jerk", "fragmentary_myoclonus", "hypnagogic_foot_tremor", "alma", "rhythmic_movement",
             "long_contraction", "rem_twitch", "rswa"]  # fmt: skip
    res = hand("healthy")
    res = dataclasses.replace(res, params={**res.params, "twitches": {"types": kinds}})
    drawn: list[str] = []
    real = pdf_mod._Flow._text

    def spy(self, x_in, text, size, **kw):
        drawn.append(text)
        return real(self, x_in, text, size, **kw)

    monkeypatch.setattr(pdf_mod._Flow, "_text", spy)
    write_pdf(res, tmp_path / "a.pdf", context=report_context(res), findings_text=[], dpi=30)
    cells = [t for t in drawn if "hypnic_jerk" in t]
    assert cells, "the option value was not drawn"
    value = cells[0]
    assert "…" not in value
    assert "".join(value.split()) == "".join(", ".join(kinds).split())  # a list reads as words, not Python
    n_chars = int(4.0 * pdf_mod._CHARS_PER_IN_CELL * 10 / 7)
    assert all(len(line) <= n_chars for line in value.splitlines())
