import math

import numpy as np
import pandas as pd
import pyarrow as pa

from twitchlab.cohort.schema import EVENT_SCHEMA, SUMMARY_KEYS, events_table, summary_schema, summary_table
from twitchlab.model import make_events


def test_summary_row_types_nulls_and_extras():
    schema = summary_schema(pa.schema([("age", pa.int64())]))
    summary = {k: None for k in SUMMARY_KEYS}
    summary.update(
        plms_index=np.float64(31.5), plm_count=np.int64(120), plms_above_threshold=True, lms_index=math.nan, new_key=3
    )
    t = summary_table({"night_id": "n1", "status": "ok"}, {"age": 40}, summary, schema)
    row = t.to_pylist()[0]
    assert row["plms_index"] == 31.5
    assert row["plm_count"] == 120
    assert row["plms_above_threshold"] is True
    assert row["lms_index"] is None  # NaN is stored as null
    assert row["summary_extra"] == '{"new_key": 3}'
    assert t.schema == schema


def test_events_table_has_fixed_schema_even_with_extra_columns():
    ev = make_events({"type": ["lm", "alma"], "onset_s": [1.0, 5.0], "duration_s": [1.0, 2.0], "side": ["L", "B"]})
    ev["n_bursts"] = [pd.NA, 6]
    ev["channels"] = [None, ["leg_left", "leg_right"]]
    ev["unexpected"] = 1
    t = events_table("n1", ev)
    assert t.schema == EVENT_SCHEMA
    assert t.column("channels").to_pylist() == [None, "leg_left,leg_right"]
    assert t.column("n_bursts").to_pylist() == [None, 6]
    assert events_table("n1", None).num_rows == 0
