"""HTML for triage findings (Jinja2): a fragment for the night report and a self-contained page."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import jinja2
from markupsafe import Markup

from twitchlab import __version__
from twitchlab._util import atomic_write
from twitchlab.assess.findings import DISCLAIMER, OVERALL, Finding, TriageReport

__all__ = ["KIND_WORDS", "render_findings_html", "render_findings_page", "write_findings"]

#: How each kind of finding is labelled for people.
KIND_WORDS = {
    "red_flag": "See a clinician",
    "discuss": "Worth discussing",
    "self_care": "You can try",
    "reassuring": "Reassuring",
    "info": "Good to know",
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("twitchlab.assess", "data"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_findings_html(findings: TriageReport | Sequence[Finding]) -> str:
    """Render findings as an HTML fragment (a ``<section>``) to embed in another page.

    Parameters
    ----------
    findings : TriageReport or sequence of Finding
        A whole report (its overall sentence is shown first) or just findings.

    Returns
    -------
    str
        HTML with no ``<html>``/``<head>``; classes are prefixed ``tl-`` so they do not clash.

    References
    ----------
    .. [1] Sources of each finding are listed in ``twitchlab/assess/data/sources.yaml``.
    """
    suppressed: tuple[str, ...] = ()
    if isinstance(findings, TriageReport):
        items, overall, sentence = findings.findings, findings.overall, findings.overall_sentence
        suppressed = findings.suppressed
    else:
        items = tuple(findings)
        overall = items[0].kind if items else "info"
        sentence = OVERALL[overall]
    return _ENV.get_template("findings_fragment.html.j2").render(
        findings=items,
        overall=overall,
        overall_sentence=sentence,
        kind_words=KIND_WORDS,
        origin_words={"answer": "your answer", "metric": "measured", "reference": "reference level"},
        disclaimer=DISCLAIMER,
        suppressed=suppressed,
    )


def render_findings_page(report: TriageReport) -> str:
    """Render a complete, self-contained HTML page (inline CSS, no scripts, no external files)."""
    seen: dict[str, object] = {}
    for f in report.findings:
        for s in f.sources:
            seen.setdefault(s.id, s)
    return _ENV.get_template("findings_page.html.j2").render(
        report=report, version=__version__, fragment=Markup(render_findings_html(report)), sources=list(seen.values())
    )


def write_findings(report: TriageReport, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``findings.json`` and ``findings.html`` into ``out_dir`` (atomically).

    Returns
    -------
    dict
        ``{"json": path, "html": path}``.
    """
    folder = Path(out_dir)
    paths = {"json": folder / "findings.json", "html": folder / "findings.html"}
    with atomic_write(paths["json"]) as fh:
        fh.write(report.to_json())
    with atomic_write(paths["html"]) as fh:
        fh.write(render_findings_page(report))
    return paths
