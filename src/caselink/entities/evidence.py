"""Evidence for a merge, in words: "same phone (+11.2), name Steve/Stephen (+7.9), same dob (+9.0)".

Splink scores a pair by adding, comparison by comparison, the match weight
(log2 Bayes factor) of the level the pair falls in. The evidence string
lists those levels as an analyst would say them, strongest first, each with
its weight, including the ones that count *against* the merge.
"""

from __future__ import annotations

import math
from typing import Any

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
            "given name only": f"same given name, surname {pair}",
            "surname within a slip only": f"surname within a slip {pair}",
            "given name within a slip only": f"given name within a slip {pair}",
        }.get(label, f"name {label}")
    if comparison == "dob":
        pair = f"{row.get('dob_str_l')}/{row.get('dob_str_r')}"
        return {
            "exact": "same dob",
            "one digit or transposition": f"dob {pair} (one digit or transposed)",
            "day and month swapped": f"dob {pair} (day and month swapped)",
            "two of day, month, year": f"dob {pair} (two of day, month, year agree)",
            "within a year": f"dob within a year {pair}",
        }.get(label, f"dob {label}")
    if label == "exact":
        return f"same {comparison}"
    if comparison == "phone":
        return f"phone one digit apart {row.get('phone_l')}/{row.get('phone_r')}"
    if comparison == "place":
        if label.startswith("home"):
            return label
        return f"cases {label}" if label.startswith("within") else "cases far apart"
    if comparison == "roles":
        return f"roles {label}"
    if comparison == "address":
        return {
            "same line": "same address line",
            "same number, similar street": "same house number, similar street",
            "same postcode": "same postcode",
            "same postcode sector": "same postcode sector",
            "other line, same postcode": "other address at the same postcode",
            "similar street, other number": "same street, another house number",
        }.get(label, f"address {label}")
    return f"{comparison} {label}"


def _title_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`_title` ("john smith" -> "John Smith", missing -> "?")."""
    return values.astype("object").where(values.notna(), "?").astype(str).str.title()


def _phrases(comparison: str, label: str, rows: pd.DataFrame) -> pd.Series | None:
    """Vectorised :func:`_phrase` for the rows of one comparison level."""
    if label == "null":
        return None
    constant = _phrase(comparison, label, {})
    if comparison == "name" and label in ("nickname",):
        return (
            "name "
            + _title_series(rows["first_name_l"])
            + "/"
            + _title_series(rows["first_name_r"])
        )
    if comparison == "name" and label in ("swapped", "one edit", "similar", "surname and initial"):
        head = {
            "swapped": "names swapped ",
            "one edit": "name ",
            "similar": "similar name ",
            "surname and initial": "same surname, given name ",
        }[label]
        return head + _title_series(rows["full_name_l"]) + "/" + _title_series(rows["full_name_r"])
    if comparison == "dob" and label in (
        "one digit or transposition",
        "day and month swapped",
        "within a year",
    ):
        pair = rows["dob_str_l"].astype(str) + "/" + rows["dob_str_r"].astype(str)
        if label == "within a year":
            return "dob within a year " + pair
        tail = (
            " (one digit or transposed)" if label.startswith("one") else " (day and month swapped)"
        )
        return "dob " + pair + tail
    if comparison == "phone" and label == "one digit":
        return (
            "phone one digit apart "
            + rows["phone_l"].astype(str)
            + "/"
            + rows["phone_r"].astype(str)
        )
    return pd.Series(constant, index=rows.index, dtype=object)


def pair_evidence(predictions: pd.DataFrame) -> list[str]:
    """The evidence string of each scored pair of a Splink predictions frame.

    Built column-wise (one pass per comparison level, then one sort and
    join), so that a million links take seconds, not minutes.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Splink ``predict`` output with the ``gamma_*`` and ``mw_*`` (and
        ``mw_tf_adj_*``) columns and the compared ``*_l``/``*_r`` columns
        the phrases quote (names, dob, phone).

    Returns
    -------
    list of str
        One string per row, e.g. ``"same phone (+11.2), name Steve/Stephen
        (+7.9), different postcode (-3.1)"``, strongest first.
    """
    n = len(predictions)
    if n == 0:
        return []
    frame = predictions.reset_index(drop=True)
    parts: list[pd.DataFrame] = []
    for comparison, by_gamma in level_labels().items():
        w = frame[f"mw_{comparison}"].astype("float64").fillna(0.0)
        tf_col = f"mw_tf_adj_{comparison}"
        if tf_col in frame.columns:
            w = w + frame[tf_col].astype("float64").fillna(0.0)
        gamma = frame[f"gamma_{comparison}"].astype("int64")
        for value, label in by_gamma.items():
            rows = frame.loc[gamma == value]
            if rows.empty:
                continue
            phrase = _phrases(comparison, label, rows)
            if phrase is None:
                continue
            weight = w.loc[rows.index]
            text = phrase + " (" + weight.map("{:+.1f}".format) + ")"
            parts.append(pd.DataFrame({"row": rows.index, "weight": weight, "text": text}))
    if not parts:
        return [""] * n
    long = pd.concat(parts, ignore_index=True).sort_values(
        ["row", "weight"], ascending=[True, False], kind="stable"
    )
    joined = long.groupby("row", sort=True)["text"].agg(", ".join)
    return [str(v) for v in joined.reindex(range(n), fill_value="").tolist()]
