"""Read the expected values that ``tests/reference/*.R`` wrote (``<name>.json``).

JSON ``null`` (R's NA) becomes NaN in numbers; a dataset becomes a DataFrame with the
columns as R wrote them.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

HERE = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict[str, Any]:
    """The fixture ``tests/reference/<name>.json`` as written by ``<name>.R``."""
    data: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    return data


def numbers(values: Any) -> npt.NDArray[np.float64]:
    """A JSON number or list of numbers as a float array, ``null`` as NaN."""
    items = values if isinstance(values, list) else [values]
    return np.array([math.nan if v is None else float(v) for v in items], dtype=float)


def dataset(name: str, fixture: str = "survival") -> pd.DataFrame:
    """One of the fixture's datasets as a DataFrame (``null`` cells missing)."""
    columns = load(fixture)["datasets"][name]
    return pd.DataFrame(
        {c: [None if v is None else v for v in vals] for c, vals in columns.items()}
    )
