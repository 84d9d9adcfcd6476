"""The interventions a person can test, with our wording of what to do on each kind of night.

References
----------
.. [1] Kravitz RL, Duan N (eds). Design and Implementation of N-of-1 Trials: A User's Guide. AHRQ
   Publication No. 13(14)-EHC122-EF, 2014.
.. [2] Silber MH et al. The management of restless legs syndrome: an updated algorithm. Mayo Clin Proc
   2021;96(7):1921-1937.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CLINICIAN_NOTE", "INTERVENTIONS", "Intervention", "get_intervention"]

#: Shown with every medication experiment, on every screen and in every report.
CLINICIAN_NOTE = (
    "Only as agreed with your clinician. Never start, stop or change the dose of a medicine on your own: "
    "several medicines used for sleep and restless legs cause rebound or withdrawal when changed abruptly."
)


@dataclass(frozen=True)
class Intervention:
    """One testable change.

    Attributes
    ----------
    key : str
        Identifier used on the command line.
    title : str
        Short human name.
    on_nights : str
        What to do on intervention nights.
    off_nights : str
        What to do on control nights.
    carryover : bool
        Whether an effect may linger into the next nights (then a washout is recommended).
    default_block_nights : int
        Suggested nights per block.
    default_washout_nights : int
        Suggested washout nights at the start of each later block.
    note : str or None
        Safety note shown whenever the intervention is.
    """

    key: str
    title: str
    on_nights: str
    off_nights: str
    carryover: bool
    default_block_nights: int
    default_washout_nights: int
    note: str | None = None


INTERVENTIONS: dict[str, Intervention] = {
    i.key: i
    for i in (
        Intervention(
            "no_caffeine",
            "No caffeine",
            "No caffeine all day: no coffee, black or green tea, cola, energy drinks or pre-workout.",
            "Have your usual caffeine, no more than usual.",
            carryover=True,
            default_block_nights=4,
            default_washout_nights=1,
        ),
        Intervention(
            "no_alcohol",
            "No alcohol",
            "No alcohol at all today.",
            "Drink as you usually do, no more than usual (never drink more to 'test' it).",
            carryover=True,
            default_block_nights=4,
            default_washout_nights=1,
        ),
        Intervention(
            "exercise_morning",
            "Exercise in the morning",
            "Do your exercise before noon, and none in the 4 hours before bed.",
            "Exercise at your usual time.",
            carryover=False,
            default_block_nights=4,
            default_washout_nights=0,
        ),
        Intervention(
            "regular_schedule",
            "Regular sleep schedule",
            "Go to bed and get up within 30 minutes of your fixed times, weekend included.",
            "Keep your usual bedtimes and rising times.",
            carryover=True,
            default_block_nights=7,
            default_washout_nights=1,
        ),
        Intervention(
            "hot_bath",
            "Warm bath before bed",
            "Take a warm (not scalding) bath or shower of 15-20 minutes, 1-2 hours before bed.",
            "No bath or shower in the 3 hours before bed.",
            carryover=False,
            default_block_nights=4,
            default_washout_nights=0,
        ),
        Intervention(
            "leg_massage",
            "Leg massage",
            "Massage your calves and thighs for 5-10 minutes before bed.",
            "No leg massage.",
            carryover=False,
            default_block_nights=4,
            default_washout_nights=0,
        ),
        Intervention(
            "stretching",
            "Stretching",
            "10 minutes of gentle calf, hamstring and hip stretches before bed.",
            "No stretching in the evening.",
            carryover=False,
            default_block_nights=4,
            default_washout_nights=0,
        ),
        Intervention(
            "medication_change_with_clinician",
            "Medication change (with your clinician)",
            "Take your medicines as your clinician's plan says for the 'change' blocks.",
            "Take your medicines as your clinician's plan says for the 'usual' blocks.",
            carryover=True,
            default_block_nights=7,
            default_washout_nights=2,
            note=CLINICIAN_NOTE,
        ),
    )
}


def get_intervention(key: str) -> Intervention:
    """Return the intervention called ``key``.

    Raises
    ------
    twitchlab.errors.ParameterError
        For an unknown key; the message lists the known ones.
    """
    from twitchlab.errors import check_option

    check_option("intervention", key, INTERVENTIONS)
    return INTERVENTIONS[key]
