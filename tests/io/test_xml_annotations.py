"""NSRR and Profusion XML: realistic generated fixtures (no real NSRR files may be shared), bad XML, bombs."""

from __future__ import annotations

import collections

import pytest

from twitchlab.errors import InputFileError, TwitchlabWarning
from twitchlab.io import load_annotations, read_annotations

NSRR = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<PSGAnnotation>
<SoftwareVersion>Compumedics</SoftwareVersion>
<EpochLength>30</EpochLength>
<ScoredEvents>
<ScoredEvent><EventType/><EventConcept>Recording Start Time</EventConcept><Start>0</Start>
<Duration>32400.0</Duration><ClockTime>00.00.00 22.30.00</ClockTime></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Wake|0</EventConcept><Start>0.0</Start>
<Duration>90.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 1 sleep|1</EventConcept><Start>90.0</Start>
<Duration>30.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 2 sleep|2</EventConcept><Start>120.0</Start>
<Duration>120.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 4 sleep|4</EventConcept><Start>240.0</Start>
<Duration>30.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>REM sleep|5</EventConcept><Start>270.0</Start>
<Duration>60.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Respiratory|Respiratory</EventType>
<EventConcept>Obstructive apnea|Obstructive Apnea</EventConcept>
<Start>150.5</Start><Duration>14.2</Duration><SignalLocation>ABDO RES</SignalLocation></ScoredEvent>
<ScoredEvent><EventType>Respiratory|Respiratory</EventType><EventConcept>Hypopnea|Hypopnea</EventConcept>
<Start>200</Start><Duration>11</Duration></ScoredEvent>
<ScoredEvent><EventType>Arousals|Arousals</EventType><EventConcept>Arousal|Arousal ()</EventConcept>
<Start>165.0</Start><Duration>5.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Limb Movement|Limb Movement</EventType>
<EventConcept>Limb movement - left|Limb Movement (Left)</EventConcept><Start>130.0</Start><Duration>1.5</Duration>
</ScoredEvent>
<ScoredEvent><EventType>Limb Movement|Limb Movement</EventType>
<EventConcept>Limb movement - right|Limb Movement (Right)</EventConcept><Start>131.0</Start><Duration>2</Duration>
</ScoredEvent>
<ScoredEvent><EventType>Respiratory|Respiratory</EventType>
<EventConcept>SpO2 desaturation|SpO2 desaturation</EventConcept>
<Start>170</Start><Duration>20</Duration><SpO2Nadir>88</SpO2Nadir></ScoredEvent>
<ScoredEvent><EventType/><EventConcept>Unsure|Unsure</EventConcept><Start>10</Start><Duration>3</Duration></ScoredEvent>
</ScoredEvents>
</PSGAnnotation>
"""

PROFUSION = """<?xml version="1.0" encoding="utf-8"?>
<CMPStudyConfig>
<EpochLength>30</EpochLength>
<StepChannels><StepChannel><Input>Position</Input></StepChannel></StepChannels>
<ScoredEvents>
<ScoredEvent><Name>Limb Movement (Left)</Name><Start>61.2</Start><Duration>1.8</Duration><Input>Leg L</Input>
</ScoredEvent>
<ScoredEvent><Name>PLM (Right)</Name><Start>80.0</Start><Duration>2.2</Duration><Input>Leg R</Input></ScoredEvent>
<ScoredEvent><Name>Central Apnea</Name><Start>100</Start><Duration>12</Duration><Input>Airflow</Input></ScoredEvent>
<ScoredEvent><Name>Arousal (ASDA)</Name><Start>112</Start><Duration>6</Duration><Input>C3-A2</Input></ScoredEvent>
<ScoredEvent><Name>SpO2 artifact</Name><Start>20</Start><Duration>8</Duration><Input>SaO2</Input></ScoredEvent>
</ScoredEvents>
<SleepStages>
<SleepStage>0</SleepStage><SleepStage>0</SleepStage><SleepStage>1</SleepStage><SleepStage>2</SleepStage>
<SleepStage>3</SleepStage><SleepStage>4</SleepStage><SleepStage>5</SleepStage><SleepStage>9</SleepStage>
</SleepStages>
</CMPStudyConfig>
"""


def _write(tmp_path, text, name="a.xml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_nsrr_events_and_hypnogram(tmp_path):
    with pytest.warns(TwitchlabWarning, match="Unsure"):
        ann = read_annotations(_write(tmp_path, NSRR))
    assert ann.kind == "nsrr-xml"
    ev = ann.events
    assert "Recording Start Time" not in set(ev["label_original"])
    by_type = collections.Counter(ev["type"])
    assert by_type["apnea_obstructive"] == 1
    assert by_type["hypopnea"] == 1
    assert by_type["arousal"] == 1
    assert by_type["lm_left"] == 1
    assert by_type["lm_right"] == 1
    assert by_type["desaturation"] == 1
    assert by_type["other"] == 1
    ap = ev[ev["type"] == "apnea_obstructive"].iloc[0]
    assert ap["onset_s"] == pytest.approx(150.5)
    assert ap["offset_s"] == pytest.approx(164.7)
    assert ap["label_original"] == "Obstructive apnea|Obstructive Apnea"
    assert ev[ev["type"] == "lm_left"].iloc[0]["side"] == "L"
    assert ann.hypnogram.labels == ["W", "W", "W", "N1", "N2", "N2", "N2", "N2", "N3", "R", "R"]


def test_profusion_events_and_integer_stages(tmp_path):
    with pytest.warns(TwitchlabWarning, match="SpO2 artifact"):
        ann = read_annotations(_write(tmp_path, PROFUSION))
    assert ann.kind == "profusion-xml"
    ev = ann.events[~ann.events["type"].str.startswith("stage_")]
    assert dict(zip(ev["label_original"], ev["type"], strict=True)) == {
        "Limb Movement (Left)": "lm_left",
        "PLM (Right)": "lm_right",
        "Central Apnea": "apnea_central",
        "Arousal (ASDA)": "arousal",
        "SpO2 artifact": "other",
    }
    assert ann.hypnogram.labels == ["W", "W", "N1", "N2", "N3", "N3", "R", "?"]
    assert ann.hypnogram.epoch_s == 30


def test_empty_start_and_non_numeric_duration_are_skipped_and_counted(tmp_path):
    bad = NSRR.replace("<Start>200</Start>", "<Start/>").replace(
        "<Duration>5.0</Duration>", "<Duration>five</Duration>"
    )
    ann = load_annotations(_write(tmp_path, bad))
    msg = " ".join(ann.warnings)
    assert "2 of 12 scored event(s) skipped" in msg
    assert "Start None" in msg
    assert "Duration 'five'" in msg
    assert "hypopnea" not in set(ann.events["type"])
    assert "arousal" not in set(ann.events["type"])


def test_all_events_unreadable_is_an_error(tmp_path):
    xml = "<PSGAnnotation><ScoredEvents><ScoredEvent><EventConcept>Arousal|Arousal ()</EventConcept>"
    xml += "<Start></Start><Duration>3</Duration></ScoredEvent></ScoredEvents></PSGAnnotation>"
    with pytest.raises(InputFileError, match="no readable scored event"):
        load_annotations(_write(tmp_path, xml))


def test_xml_bomb_is_refused(tmp_path):
    bomb = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<PSGAnnotation><ScoredEvents><ScoredEvent><EventConcept>&lol3;</EventConcept><Start>0</Start>
<Duration>1</Duration></ScoredEvent></ScoredEvents></PSGAnnotation>"""
    with pytest.raises(InputFileError, match="XML bombs"):
        load_annotations(_write(tmp_path, bomb))


def test_external_entity_is_refused(tmp_path):
    xxe = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<PSGAnnotation><ScoredEvents><ScoredEvent><EventConcept>&e;</EventConcept><Start>0</Start></ScoredEvent>
</ScoredEvents></PSGAnnotation>"""
    with pytest.raises(InputFileError, match="refused to parse"):
        load_annotations(_write(tmp_path, xxe))


def test_not_well_formed_names_the_line(tmp_path):
    with pytest.raises(InputFileError, match="not well-formed XML at line 3"):
        load_annotations(_write(tmp_path, "<PSGAnnotation>\n<ScoredEvents>\n<ScoredEvent></Scored>\n"))


def test_unknown_root_is_an_error(tmp_path):
    with pytest.raises(InputFileError, match="neither <PSGAnnotation>"):
        load_annotations(_write(tmp_path, "<EmblaEvents><Event/></EmblaEvents>"))


def test_profusion_stage_code_outside_the_table_warns(tmp_path):
    ann = load_annotations(
        _write(tmp_path, PROFUSION.replace("<SleepStage>9</SleepStage>", "<SleepStage>7</SleepStage>"))
    )
    assert ann.hypnogram.labels[-1] == "?"
    assert any("1 SleepStage value(s) outside" in w for w in ann.warnings)


def test_bad_epoch_length_warns_and_uses_30(tmp_path):
    ann = load_annotations(_write(tmp_path, PROFUSION.replace("<EpochLength>30", "<EpochLength>abc")))
    assert ann.hypnogram.epoch_s == 30
    assert any("EpochLength 'abc'" in w for w in ann.warnings)
