"""Swimmer plot: one lane per patient with dose periods, responses, relapses and AEs.

Each lane starts at the patient's index date (first dose period of the drug). Bars are the
dose periods coloured by dose; markers show the first partial and complete response and the
relapse under one criteria preset (from :func:`clears.outcomes.derive`), and adverse events
coloured by CTCAE grade; an arrow at the end of a lane means the treatment is ongoing. The
layout follows the conventions of swimmer plots in oncology (bars, response markers,
"continuing" arrows; e.g. the R package swimplot).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.analysis._validation import require_columns
from clears.plots._style import GRADE_COLOURS, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from clears.cohort import Cohort

__all__ = ["SwimmerData", "swimmer_data", "swimmer_figure"]

#: Response and relapse markers: kind -> (marker, colour, legend label).
_MARKERS: Final = {
    "partial": ("^", "#009E73", "partial response"),
    "complete": ("*", "#0072B2", "complete response"),
    "relapse": ("X", "#D55E00", "relapse"),
}


@dataclass(frozen=True)
class SwimmerData:
    """What a swimmer plot draws, in days since each patient's index date.

    Attributes
    ----------
    order
        Patient ids from the top lane down (longest follow-up first).
    segments
        ``patient_id``, ``start_day``, ``end_day``, ``dose_mg_per_day``, ``ongoing`` (the
        period has no end date and runs to the end of follow-up).
    events
        ``patient_id``, ``day``, ``kind`` (``partial``, ``complete``, ``relapse``,
        ``adverse_event``), ``grade`` (CTCAE grade for adverse events, else missing).
    criteria
        The preset whose responses and relapses are marked (``name@version``).
    """

    order: tuple[str, ...]
    segments: pd.DataFrame
    events: pd.DataFrame
    criteria: str


def swimmer_data(
    cohort: Cohort, outcomes: pd.DataFrame, *, criteria: str | None = None
) -> SwimmerData:
    """Collect the lanes, bars and markers of a swimmer plot.

    Parameters
    ----------
    cohort
        The cohort the outcomes were derived from.
    outcomes
        From :func:`clears.outcomes.derive`; patients not in it are left out.
    criteria
        Preset whose response and relapse markers are drawn; default the first in
        ``outcomes``.
    """
    require_columns(
        outcomes,
        [
            "patient_id", "criteria", "criteria_version", "drug", "index_date", "follow_up_end",
            "time_to_partial_days", "partial_event", "time_to_complete_days", "complete_event",
            "relapse_date",
        ],
        "outcomes",
    )  # fmt: skip
    presets = list(pd.unique(outcomes["criteria"]))
    if not presets:
        raise InputError(Problem("outcomes", None, "has no rows", "derived outcomes"))
    chosen = presets[0] if criteria is None else criteria
    if chosen not in presets:
        raise InputError(
            Problem("criteria", chosen, "not in the outcomes", ", ".join(map(str, presets)))
        )
    rows = outcomes[outcomes["criteria"] == chosen]
    version = str(rows["criteria_version"].iloc[0])
    drug = str(rows["drug"].iloc[0])
    keyed = rows.set_index("patient_id")
    index = keyed["index_date"]
    end_day = (keyed["follow_up_end"] - index).dt.days.astype(float)

    tr = cohort.treatments
    tr = tr[(tr["drug"] == drug) & tr["patient_id"].isin(keyed.index)]
    start = tr["patient_id"].map(index)
    ongoing = tr["end_date"].isna() if "end_date" in tr else pd.Series(True, index=tr.index)
    stop = tr["end_date"] if "end_date" in tr else pd.Series(pd.NaT, index=tr.index)
    segments = pd.DataFrame(
        {
            "patient_id": tr["patient_id"].astype(str).to_numpy(),
            "start_day": (tr["start_date"] - start).dt.days.to_numpy(dtype=float),
            "end_day": np.where(
                ongoing,
                tr["patient_id"].map(end_day).to_numpy(dtype=float),
                (stop - start).dt.days.to_numpy(dtype=float),
            ),
            "dose_mg_per_day": tr["dose_mg_per_day"].to_numpy(dtype=float),
            "ongoing": ongoing.to_numpy(dtype=bool),
        }
    ).sort_values(["patient_id", "start_day"], ignore_index=True)

    events = []
    for kind in ("partial", "complete"):
        hit = rows[rows[f"{kind}_event"].fillna(False).astype(bool)]
        events.append(
            pd.DataFrame(
                {"patient_id": hit["patient_id"], "day": hit[f"time_to_{kind}_days"], "kind": kind}
            )
        )
    relapsed = rows[rows["relapse_date"].notna()]
    events.append(
        pd.DataFrame(
            {
                "patient_id": relapsed["patient_id"],
                "day": (relapsed["relapse_date"] - relapsed["index_date"]).dt.days,
                "kind": "relapse",
            }
        )
    )
    ae = cohort.adverse_events
    ae = ae[ae["patient_id"].isin(keyed.index)]
    ae_day = (ae["onset_date"] - ae["patient_id"].map(index)).dt.days
    ae = ae[ae_day >= 0]
    events.append(
        pd.DataFrame(
            {
                "patient_id": ae["patient_id"],
                "day": ae_day[ae_day >= 0],
                "kind": "adverse_event",
                "grade": ae["grade"],
            }
        )
    )
    frame = pd.concat([e for e in events if not e.empty] or [events[0]], ignore_index=True)
    if "grade" not in frame:
        frame["grade"] = pd.NA
    frame = frame.astype({"patient_id": str, "day": float})
    frame["grade"] = frame["grade"].astype("Int64")
    frame = frame[["patient_id", "day", "kind", "grade"]].sort_values(
        ["patient_id", "day", "kind"], ignore_index=True
    )
    span = end_day.sort_index()
    order = tuple(str(p) for p in span.sort_values(ascending=False, kind="stable").index)
    return SwimmerData(order=order, segments=segments, events=frame, criteria=f"{chosen}@{version}")


def swimmer_figure(data: SwimmerData, *, title: str | None = None) -> Figure:
    """Draw a :class:`SwimmerData`: bars by dose, response/relapse/AE markers, arrows."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = len(data.order)
    fig = new_figure(9, max(3.0, 1.2 + 0.22 * n))
    ax = fig.add_subplot()
    lane = {pid: n - 1 - k for k, pid in enumerate(data.order)}
    doses = sorted(float(d) for d in pd.unique(data.segments["dose_mg_per_day"]))
    cmap = colormaps["viridis"].resampled(max(len(doses), 1))
    colour = {d: cmap(k) for k, d in enumerate(doses)}
    seg = data.segments
    longest = float(seg["end_day"].max()) if not seg.empty else 1.0
    seg_lane = seg["patient_id"].map(lane).to_numpy(dtype=float)
    seg_start = seg["start_day"].to_numpy(dtype=float)
    seg_end = seg["end_day"].to_numpy(dtype=float)
    ax.barh(
        seg_lane,
        seg_end - seg_start,
        left=seg_start,
        height=0.6,
        color=[colour[float(d)] for d in seg["dose_mg_per_day"]],
        edgecolor="none",
    )
    last = seg.sort_values("start_day").groupby("patient_id").tail(1)
    last = last[last["ongoing"]]
    arrow_lane = last["patient_id"].map(lane).to_numpy(dtype=float)
    arrow_end = last["end_day"].to_numpy(dtype=float)
    ax.quiver(
        arrow_end, arrow_lane, np.full(len(last), 0.04 * longest), np.zeros(len(last)),
        angles="xy", scale_units="xy", scale=1.0, color="0.2", width=0.003,
    )  # fmt: skip
    ev = data.events
    for kind, (marker, mcolour, _) in _MARKERS.items():
        part = ev[ev["kind"] == kind]
        ax.scatter(
            part["day"], part["patient_id"].map(lane) + 0.0, marker=marker, color=mcolour,
            s=70 if marker == "*" else 40, zorder=3, edgecolors="white", linewidths=0.5,
        )  # fmt: skip
    adverse = ev[ev["kind"] == "adverse_event"]
    for grade in sorted(int(g) for g in pd.unique(adverse["grade"].dropna())):
        part = adverse[adverse["grade"] == grade]
        ax.scatter(
            part["day"], part["patient_id"].map(lane) + 0.32, marker="v",
            color=GRADE_COLOURS.get(grade, "0.5"), s=28, zorder=3,
            edgecolors="0.3", linewidths=0.4,
        )  # fmt: skip
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(data.order)[::-1], fontsize="small" if n <= 45 else 4)
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_xlabel("Days since the first dose")
    ax.set_ylabel("Patient")
    ax.set_title(title or f"Treatment courses and outcomes ({data.criteria})")
    handles: list[Patch | Line2D] = [Patch(color=colour[d], label=f"{d:g} mg/day") for d in doses]
    handles += [
        Line2D([], [], marker=m, color=c, linestyle="none", label=label)
        for m, c, label in _MARKERS.values()
    ]
    grades = sorted(int(g) for g in pd.unique(adverse["grade"].dropna()))
    handles += [
        Line2D([], [], marker="v", color=GRADE_COLOURS.get(g, "0.5"), linestyle="none",
               markeredgecolor="0.3", label=f"AE grade {g}")
        for g in grades
    ]  # fmt: skip
    handles.append(Line2D([], [], marker=r"$\rightarrow$", color="0.2", linestyle="none",
                          markersize=10, label="ongoing"))  # fmt: skip
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              fontsize="small")  # fmt: skip
    return fig
