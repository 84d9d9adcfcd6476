"""Nights imported from ``twitchlab analyze``: ``plm_count`` becomes the PLMs during sleep.

Earlier versions stored the summary's ``plm_count`` (PLMs in sleep *and* wake) although experiments divide
it by hours of sleep. The stored result JSON still holds the summary, so the count is re-derived from it:
``plms_count``, else ``plm_count - plmw_count``. Nights without a stored result are left as they are.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_nights = sa.table(
    "nights",
    sa.column("id", sa.Integer),
    sa.column("source", sa.String),
    sa.column("plm_count", sa.Integer),
    sa.column("result_json", sa.Text),
)


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value < 0:
        return None
    return int(value) if value == int(value) else None


def _summary(text: str | None) -> dict[str, Any] | None:
    try:
        doc = json.loads(text or "")
    except ValueError:
        return None
    summary = doc.get("summary") if isinstance(doc, dict) else None
    return summary if isinstance(summary, dict) else None


def _rewrite(pick: Any) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_nights.c.id, _nights.c.plm_count, _nights.c.result_json).where(
            _nights.c.source == "analyze", _nights.c.result_json.is_not(None)
        )
    ).all()
    for night_id, old, text in rows:
        summary = _summary(text)
        if summary is None:
            continue
        new = pick(summary)
        if new is not None and new != old:
            bind.execute(sa.update(_nights).where(_nights.c.id == night_id).values(plm_count=new))


def _in_sleep(summary: dict[str, Any]) -> int | None:
    if "plms_count" in summary:
        return _count(summary["plms_count"])
    total, wake = _count(summary.get("plm_count")), _count(summary.get("plmw_count"))
    return total - wake if total is not None and wake is not None and wake <= total else None


def upgrade() -> None:
    """Re-derive ``plm_count`` of imported nights as the PLMs during sleep."""
    _rewrite(_in_sleep)


def downgrade() -> None:
    """Put back the summary's ``plm_count`` (sleep and wake)."""
    _rewrite(lambda s: _count(s.get("plm_count")))
