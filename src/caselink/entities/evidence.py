"""Evidence for a merge, in words: "same phone (+11.2), name Steve/Stephen (+7.9), same dob (+9.0)".

Splink scores a pair by adding, comparison by comparison, the match weight
(log2 Bayes factor) of the level the pair falls in. The evidence string
lists those levels as an analyst would say them, strongest first, each with
its weight, including the ones that count *against* the merge.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from caselink.entities.person_model import settings_dict


def level_labels() -> dict[str, dict[int, str]]:
    """For each comparison, its Splink comparison vector value -> level label.

    Splink numbers the non-null levels from the top, highest first, down to
    0 for the last ("else") level, and gives null levels -1.
    """
    out: dict[str, dict[int, str]] = {}
    for comparison in settings_dict()["comparisons"]:
        levels = comparison["comparison_levels"]
        counter = sum(1 for lv in levels if not lv.get("is_null_level")) - 1
        labels: dict[int, str] = {}
        for level in levels:
            if level.get("is_null_level"):
                labels[-1] = "null"
            else:
                labels[counter] = level["label_for_charts"]
                counter -= 1
        out[comparison["output_column_name"]] = labels
    return out


def _title(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    return " ".join(w.capitalize() for w in str(value).split())


def _phrase(comparison: str, label: str, row: dict[str, Any]) -> str | None:
    """Words for one comparison level of one pair (None: nothing to say)."""
    if label == "null":
        return None
    if label == "different":
        return f"different {comparison}"
    if comparison == "name":
        pair = f"{_title(row.get('full_name_l'))}/{_title(row.get('full_name_r'))}"
        return {
            "exact": "same name",
            "nickname": f"name {_title(row.get('first_name_l'))}/{_title(row.get('first_name_r'))}",
            "swapped": f"names swapped {pair}",
            "one edit": f"name {pair}",
            "similar": f"similar name {pair}",
            "surname and initial": f"same surname, given name {pair}",
            "surname only": "same surname",
        }.get(label, f"name {label}")
    if comparison == "dob":
        pair = f"{row.get('dob_str_l')}/{row.get('dob_str_r')}"
        return {
            "exact": "same dob",
            "one digit or transposition": f"dob {pair} (one digit or transposed)",
            "day and month swapped": f"dob {pair} (day and month swapped)",
            "within a year": f"dob within a year {pair}",
        }.get(label, f"dob {label}")
    if label == "exact":
        return f"same {comparison}"
    if comparison == "phone":
        return f"phone one digit apart {row.get('phone_l')}/{row.get('phone_r')}"
    if comparison == "place":
        return f"cases {label}" if label.startswith("within") else "cases far apart"
    if comparison == "address":
        return {
            "same line": "same address line",
            "same number, similar street": "same house number, similar street",
            "same postcode": "same postcode",
            "same postcode sector": "same postcode sector",
        }.get(label, f"address {label}")
    return f"{comparison} {label}"


def pair_evidence(predictions: pd.DataFrame) -> list[str]:
    """The evidence string of each scored pair of a Splink predictions frame.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Splink ``predict`` output with intermediate columns retained
        (``gamma_*``, ``mw_*``, ``mw_tf_adj_*`` and the ``*_l``/``*_r``
        compared columns).

    Returns
    -------
    list of str
        One string per row, e.g. ``"same phone (+11.2), name Steve/Stephen
        (+7.9), different postcode (-3.1)"``.
    """
    labels = level_labels()
    weights: dict[str, np.ndarray] = {}
    for comparison in labels:
        w = predictions[f"mw_{comparison}"].astype("float64").fillna(0.0).to_numpy()
        tf_col = f"mw_tf_adj_{comparison}"
        if tf_col in predictions.columns:
            w = w + predictions[tf_col].astype("float64").fillna(0.0).to_numpy()
        weights[comparison] = w
    out: list[str] = []
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in predictions.to_dict("records")
    ]
    for i, row in enumerate(records):
        parts: list[tuple[float, str]] = []
        for comparison, by_gamma in labels.items():
            label = by_gamma.get(int(row[f"gamma_{comparison}"]), "null")
            phrase = _phrase(comparison, label, row)
            if phrase is not None:
                weight = float(weights[comparison][i])
                parts.append((weight, f"{phrase} ({weight:+.1f})"))
        parts.sort(key=lambda p: -p[0])
        out.append(", ".join(p for _, p in parts))
    return out
