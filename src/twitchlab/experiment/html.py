"""A self-contained HTML report of an experiment (Jinja2; the figure is embedded as a base64 PNG)."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from twitchlab import __version__
from twitchlab._util import atomic_write
from twitchlab.experiment.analyze import ExperimentAnalysis
from twitchlab.experiment.interventions import get_intervention
from twitchlab.experiment.plot import outcome_label, plot_nights, png_base64

__all__ = ["render_html", "write_html"]

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Experiment: {{ title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.verdict{padding:1rem 1.2rem;border-radius:.4rem;font-size:1.1rem;margin:1rem 0}
.helped{background:#e3f4ea;border-left:6px solid #1a7f46}.worse{background:#fbe5e1;border-left:6px solid #b3261e}
.unsure{background:#f3f0e3;border-left:6px solid #8a7a2a}
.note{background:#fff4d6;border:1px solid #e0c060;padding:.6rem .9rem;border-radius:.3rem}
table{border-collapse:collapse;font-size:.85rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
img{max-width:100%}small{color:#666}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ spec.title }}: <em>{{ spec.on_nights }}</em> versus <em>{{ spec.off_nights }}</em></p>
{% if spec.note %}<p class="note"><strong>Note:</strong> {{ spec.note }}</p>{% endif %}
<div class="verdict {{ vclass }}">{{ a.verdict.text }}</div>
<img alt="nightly rate by condition" src="data:image/png;base64,{{ png }}">
<h2>Estimate</h2>
{% if a.counts %}<table>
<tr><th>outcome</th><td>{{ outcome_txt }}</td></tr>
<tr><th>rate ratio (intervention / control)</th><td>{{ '%.2f'|format(a.counts.rate_ratio) }}
 (95 % CI {{ '%.2f'|format(a.counts.ci_low) }}-{{ '%.2f'|format(a.counts.ci_high) }})</td></tr>
<tr><th>model</th><td>{{ a.counts.family|replace('_', ' ') }} GLM, log(sleep hours) offset, condition + period;
 overdispersion test p = {{ '%.3f'|format(a.counts.overdispersion_p) }}{% if a.counts.alpha %}, alpha =
 {{ '%.3f'|format(a.counts.alpha) }}{% endif %}</td></tr>
<tr><th>nights in the model</th><td>{{ a.counts.n_intervention }} intervention,
 {{ a.counts.n_control }} control</td></tr>
{% if a.randomisation %}<tr><th>randomisation test</th><td>p = {{ '%.3f'|format(a.randomisation.p_value) }}
 ({{ a.randomisation.n_orders }} {{ 'possible' if a.randomisation.exhaustive else 'sampled' }} orders;
 smallest possible p = {{ '%.3f'|format(a.randomisation.min_p) }})</td></tr>{% endif %}
{% if a.per_protocol %}<tr><th>followed nights only</th><td>rate ratio {{ '%.2f'|format(a.per_protocol.rate_ratio) }}
 (95 % CI {{ '%.2f'|format(a.per_protocol.ci_low) }}-{{ '%.2f'|format(a.per_protocol.ci_high) }})</td></tr>{% endif %}
</table>{% else %}<p>No estimate yet.</p>{% endif %}
<h2>Symptoms (0-10)</h2>
{% if a.symptoms %}<p>Intervention minus control: {{ '%+.1f'|format(a.symptoms.difference) }} points
(95 % CI {{ '%+.1f'|format(a.symptoms.ci_low) }} to {{ '%+.1f'|format(a.symptoms.ci_high) }});
means {{ '%.1f'|format(a.symptoms.mean_intervention) }} vs {{ '%.1f'|format(a.symptoms.mean_control) }}.</p>
{% else %}<p>Not enough rated nights yet.</p>{% endif %}
<h2>Adherence and missing nights</h2>
<p>{{ a.adherence.nights_with_count }} of {{ a.adherence.nights_due }} due nights have a count.
Condition followed on {{ a.adherence.followed|plural('night') }}, not followed on
{{ a.adherence.not_followed }}, not answered on {{ a.adherence.unknown }}.</p>
{% for n in a.notes %}<p>{{ n }}</p>{% endfor %}
<h2>Plan</h2>
<p>{{ s.n_blocks }} blocks of {{ s.block_nights|plural('night') }} ({% if s.washout_nights -%}
{{ s.washout_nights|plural('washout night') }} before each later block{% else %}no washout nights{% endif %}),
{{ s.design }} design, order <code>{{ s.order }}</code> (A = intervention) drawn from seed
<code>{{ s.seed }}</code>; {{ s.start }} to {{ s.end }}.</p>
<details><summary>Nights</summary><table><tr><th>night</th><th>block</th><th>condition</th><th>count</th>
<th>hours</th><th>followed</th><th>symptoms</th></tr>
{% for r in rows %}<tr><td>{{ r.night_date }}</td><td>{{ r.block + 1 }}</td>
<td>{{ r.condition }}{% if r.washout %} (washout){% endif %}</td><td>{{ r.count_txt }}</td><td>{{ r.hours_txt }}</td>
<td>{{ r.followed_txt }}</td><td>{{ r.symptoms_txt }}</td></tr>{% endfor %}</table></details>
<p><small>Analysed {{ a.as_of }} with twitchlab {{ version }}. An n-of-1 experiment tells you about you, under the
conditions you tested; it is not a diagnosis. Discuss changes to treatment with your clinician.</small></p>
</body></html>
"""


def _txt(value: object, fmt: str = "{:.0f}") -> str:
    if value is None:
        return ""
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return "" if f != f else fmt.format(f)


def plural(n: int, word: str) -> str:
    """``plural(1, "washout night")`` -> ``"1 washout night"``; ``plural(2, "night")`` -> ``"2 nights"``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_html(analysis: ExperimentAnalysis, *, name: str = "") -> str:
    """Render the report of an analysis to an HTML string (no external files or network)."""
    s = analysis.schedule
    spec = get_intervention(s.intervention)
    fig = plot_nights(analysis.table, title=f"{spec.title}: nightly rate", outcome=analysis.outcome)
    rows = []
    for r in analysis.table.itertuples(index=False):
        rows.append(
            {
                "night_date": r.night_date,
                "block": int(r.block),
                "condition": r.condition,
                "washout": bool(r.washout),
                "count_txt": _txt(r.count),
                "hours_txt": _txt(r.hours, "{:.1f}"),
                "followed_txt": {True: "yes", False: "no"}.get(r.followed, ""),  # type: ignore[arg-type]
                "symptoms_txt": _txt(r.symptoms),
            }
        )
    vclass = {"helped": "helped", "made it worse": "worse"}.get(analysis.verdict.label, "unsure")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["plural"] = plural
    return env.from_string(_TEMPLATE).render(
        title=name or spec.title,
        spec=spec,
        a=analysis,
        s=s,
        png=png_base64(fig),
        rows=rows,
        vclass=vclass,
        outcome_txt=outcome_label(analysis.outcome),
        version=__version__,
    )


def write_html(analysis: ExperimentAnalysis, path: str | os.PathLike[str], *, name: str = "") -> Path:
    """Write the report atomically and return its path."""
    dest = Path(path)
    with atomic_write(dest) as fh:
        fh.write(render_html(analysis, name=name))
    return dest
