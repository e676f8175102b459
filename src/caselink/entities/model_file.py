"""A saved person model is data: only its numbers are read, never its SQL.

A trained Splink model written as JSON holds SQL: each blocking rule and
each comparison level is a SQL condition that DuckDB runs as written. A
model file beside the store (``<db>.person-model.json``) that anyone can
edit would so be a way to run any SQL (read any file DuckDB can reach) on
``caselink resolve --incremental``. Here the settings are always rebuilt
from caselink's own declarations (:mod:`caselink.entities.person_model`);
the file must carry exactly those rules and conditions (else it is refused,
with the first difference named, before anything runs), and only its
parameters are taken: the prior, each level's m and u probabilities, the
term frequencies and the area densities, each checked to be a number of
the right range.
"""

from __future__ import annotations

import copy
import math
from functools import lru_cache
from typing import Any

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator

from caselink.entities.features import person_features
from caselink.entities.person_model import prediction_blocking_rules, settings_dict
from caselink.records.errors import CaselinkError
from caselink.records.frames import mentions_frame

_PARAMETERS = ("m_probability", "u_probability")
TF_COLUMNS: tuple[str, ...] = (
    "canon_name",
    "surname",
    "dob_str",
    "postcode",
    "phone",
    "address_line",
)
"""Columns with term-frequency adjustments in the person model."""


class PersonModelError(CaselinkError):
    """A saved person model is not one caselink made (or is damaged); nothing was run."""


@lru_cache(maxsize=1)
def _generated_json() -> str:
    import json

    # a linker on two placeholder mentions, only to have Splink write the settings
    mentions = mentions_frame(
        [
            {"case_id": "a", "role": "witness", "name": "Ann Lee"},
            {"case_id": "b", "role": "witness", "name": "Ann Lea"},
        ]
    )
    features = person_features(mentions)
    features["area_band"] = pd.array([None, None], dtype="Int64")
    con = duckdb.connect(":memory:")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    db_api = DuckDBAPI(con)
    creator = SettingsCreator(
        **settings_dict(),
        blocking_rules_to_generate_predictions=prediction_blocking_rules(),  # type: ignore[arg-type]
    )
    linker = Linker(db_api.register(features), creator)
    settings = linker.misc.save_model_to_json()
    settings.pop("linker_uid", None)
    con.close()
    return json.dumps(settings)


def generated_settings() -> dict[str, Any]:
    """The untrained Splink settings caselink generates (a fresh copy)."""
    import json

    settings: dict[str, Any] = json.loads(_generated_json())
    return settings


def _probability(value: Any, where: str, open_interval: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PersonModelError(f"person model: {where} is {value!r}, not a number")
    x = float(value)
    ok = (0.0 < x < 1.0) if open_interval else (0.0 <= x <= 1.0)
    if not math.isfinite(x) or not ok:
        raise PersonModelError(f"person model: {where} is {value!r}, not a probability")
    return x


def _differs(what: str, saved: Any, expected: Any) -> PersonModelError:
    return PersonModelError(
        f"person model: {what} is not the one caselink generates "
        f"(file: {str(saved)[:200]!r}; expected: {str(expected)[:200]!r}); "
        "refusing to run SQL from a file: retrain with `caselink resolve` (full)"
    )


def trusted_model(model: Any) -> dict[str, Any]:
    """The model to score with: caselink's own settings with the file's parameters.

    Parameters
    ----------
    model : object
        A ``PersonResolver.model_`` as loaded from JSON.

    Returns
    -------
    dict
        ``splink`` (generated settings with the saved prior and m, u
        probabilities), ``term_frequencies`` and ``area_density``, each
        value checked.

    Raises
    ------
    PersonModelError
        When the file is not a trained person model, when any blocking rule,
        comparison or level differs from caselink's declarations (the first
        difference is named), or a parameter is not a number of its range.
    """
    if not isinstance(model, dict) or not isinstance(model.get("splink"), dict):
        raise PersonModelError("person model: not a trained person model (no 'splink' settings)")
    saved = model["splink"]
    expected = generated_settings()
    for key, value in expected.items():
        if key in ("probability_two_random_records_match", "comparisons"):
            continue
        if saved.get(key) != value:
            what = "its blocking rules" if key.startswith("blocking") else f"setting {key!r}"
            raise _differs(what, saved.get(key), value)
    comparisons = saved.get("comparisons")
    if not isinstance(comparisons, list) or len(comparisons) != len(expected["comparisons"]):
        raise _differs("its list of comparisons", comparisons, expected["comparisons"])
    out = copy.deepcopy(expected)
    out["probability_two_random_records_match"] = _probability(
        saved.get("probability_two_random_records_match"), "the prior", open_interval=True
    )
    for got, want, fresh in zip(
        comparisons, expected["comparisons"], out["comparisons"], strict=True
    ):
        name = want["output_column_name"]
        if not isinstance(got, dict) or {
            k: v for k, v in got.items() if k != "comparison_levels"
        } != {k: v for k, v in want.items() if k != "comparison_levels"}:
            raise _differs(f"comparison {name!r}", got, want)
        levels = got.get("comparison_levels")
        if not isinstance(levels, list) or len(levels) != len(want["comparison_levels"]):
            raise _differs(f"the levels of comparison {name!r}", levels, want["comparison_levels"])
        for i, (level, want_level, fresh_level) in enumerate(
            zip(levels, want["comparison_levels"], fresh["comparison_levels"], strict=True)
        ):
            if not isinstance(level, dict):
                raise _differs(f"level {i} of comparison {name!r}", level, want_level)
            rest = {k: v for k, v in level.items() if k not in _PARAMETERS}
            if rest != want_level:
                raise _differs(f"level {i} of comparison {name!r}", rest, want_level)
            for key in _PARAMETERS:
                if key in level:
                    fresh_level[key] = _probability(level[key], f"{key} of {name} level {i}")
    return {
        "splink": out,
        "term_frequencies": _term_frequencies(model.get("term_frequencies")),
        "area_density": _area_density(model.get("area_density", {"shares": [], "cuts": []})),
    }


def _term_frequencies(value: Any) -> dict[str, list[list[Any]]]:
    if not isinstance(value, dict):
        raise PersonModelError("person model: 'term_frequencies' is missing or not a mapping")
    unknown = [k for k in value if k not in TF_COLUMNS]
    if unknown:
        raise PersonModelError(
            f"person model: term frequencies of unknown column(s) {unknown!r} "
            f"(expected: {', '.join(TF_COLUMNS)})"
        )
    out: dict[str, list[list[Any]]] = {}
    for col, rows in value.items():
        if not isinstance(rows, list):
            raise PersonModelError(f"person model: term frequencies of {col} are not a list")
        checked = []
        for row in rows:
            if not (isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)):
                raise PersonModelError(f"person model: a term frequency of {col} is {row!r}")
            checked.append([row[0], _probability(row[1], f"a term frequency of {col}")])
        out[col] = checked
    return out


def _area_density(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PersonModelError("person model: 'area_density' is not a mapping")
    shares = value.get("shares", [])
    cuts = value.get("cuts", [])
    if not isinstance(shares, list) or not isinstance(cuts, list):
        raise PersonModelError("person model: 'area_density' shares and cuts must be lists")
    checked = []
    for row in shares:
        if not (isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)):
            raise PersonModelError(f"person model: an area share is {row!r}")
        checked.append([row[0], _probability(row[1], "an area share")])
    return {
        "shares": checked,
        "cuts": [_probability(c, "an area cut") for c in cuts],
    }
