"""Self-experiments (n-of-1): randomised block schedules, a diary, and an honest analysis.

>>> import datetime as dt
>>> from twitchlab.experiment import plan_schedule, simulate_nights, analyze_experiment
>>> plan = plan_schedule("no_caffeine", start=dt.date(2026, 1, 5), n_blocks=12, seed=7)
>>> plan.order
'BABABAABABBA'
>>> nights = simulate_nights(plan, rate_ratio=0.6, rng=1)
>>> analyze_experiment(plan, nights, as_of=plan.end, power=False).verdict.label
'helped'
"""

from twitchlab.experiment.analyze import Adherence, ExperimentAnalysis, Verdict, analyze_experiment
from twitchlab.experiment.fit import RateRatioFit, SymptomFit, fit_rate_ratio, fit_symptoms
from twitchlab.experiment.interventions import CLINICIAN_NOTE, INTERVENTIONS, Intervention, get_intervention
from twitchlab.experiment.power import PowerResult, nights_needed, simulated_power
from twitchlab.experiment.randomisation import RandomisationTest, randomisation_test
from twitchlab.experiment.schedule import (
    CONDITIONS,
    DESIGNS,
    Schedule,
    design_allocations,
    draw_order,
    min_two_sided_p,
    n_allocations,
    plan_schedule,
)
from twitchlab.experiment.simulate import ANALYSIS_COLUMNS, simulate_nights

__all__ = [
    "ANALYSIS_COLUMNS",
    "CLINICIAN_NOTE",
    "CONDITIONS",
    "DESIGNS",
    "INTERVENTIONS",
    "Adherence",
    "ExperimentAnalysis",
    "Intervention",
    "PowerResult",
    "RandomisationTest",
    "RateRatioFit",
    "Schedule",
    "SymptomFit",
    "Verdict",
    "analyze_experiment",
    "design_allocations",
    "draw_order",
    "fit_rate_ratio",
    "fit_symptoms",
    "get_intervention",
    "min_two_sided_p",
    "n_allocations",
    "nights_needed",
    "plan_schedule",
    "randomisation_test",
    "simulate_nights",
    "simulated_power",
]
