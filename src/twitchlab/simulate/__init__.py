"""Phantom nights with ground truth, for tests, the demo and benchmarks.

``simulate_night`` draws the night (hypnogram and true events, no signals);
``twitchlab.simulate.emg`` turns its LM table into leg EMG.
"""

from __future__ import annotations

from twitchlab.simulate.night import PROFILES, SimulatedNight, simulate_night

__all__ = ["PROFILES", "SimulatedNight", "simulate_night"]
