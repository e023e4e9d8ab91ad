"""What every command writes: the line on how a file was read, and JSON."""

from __future__ import annotations

import json

from bernoulli.data import samples
from bernoulli.engine.problem import Thresholds
from bernoulli.io import table


def reading(sample: samples.Sample, out) -> None:
    """The one line saying how a file was read, where it was not plain 0/1 a line."""
    reading = sample.reading
    if reading is not None and (reading.layout not in ("lines", "column") or reading.symbols.words):
        print(f"      {reading.statement}", file=out)


def write_json(result: dict, out) -> None:
    out.write(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
    out.write("\n")


def thresholds_json(th: Thresholds) -> dict:
    """The learning-rate limits as JSON (None where a limit is not finite)."""
    return {
        "param": th.param,
        "loss": th.scale,
        "curvature": table.finite(th.curvature),
        "monotone": table.finite(th.monotone),
        "stable": table.finite(th.stable),
        "global_stable": None if th.global_stable is None else table.finite(th.global_stable),
        "note": th.note,
    }
