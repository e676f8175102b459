"""One exception tree, one error shape: what every front door renders.

Every error caselink raises on purpose derives from CaselinkError and renders
to ``code, message, file, row, field, value, errors``; input errors are also
ValueErrors and not-found errors LookupErrors (so older callers keep working);
the service turns a library's bare ValueError into an InputError at its door.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

import caselink
from caselink.records.errors import (
    CaselinkError,
    ConflictError,
    InputError,
    InvalidInputError,
    MissingColumnsError,
    ModelMismatchError,
    NotFoundError,
    RowError,
)
from caselink.records.frames import require_columns
from caselink.service import assurance, linking, profiling
from caselink.service import errors as service_errors
from caselink.store import Store
from caselink.store.results import Results

SHAPE = ["code", "message", "file", "row", "field", "value", "errors"]


def _every_error_class() -> list[type[CaselinkError]]:
    for module in pkgutil.walk_packages(caselink.__path__, "caselink."):
        if ".web" in module.name or module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)
    found: list[type[CaselinkError]] = []
    todo: list[type[CaselinkError]] = [CaselinkError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_error_has_the_one_shape_and_a_code() -> None:
    classes = _every_error_class()
    assert len(classes) >= 12
    for cls in classes:
        assert isinstance(cls.code, str) and cls.code, cls
    shape = InputError("bad value", file="cases.csv", row=3, field="lat", value="x").to_dict()
    assert list(shape) == SHAPE
    assert shape == {
        "code": "invalid_input",
        "message": "bad value",
        "file": "cases.csv",
        "row": 3,
        "field": "lat",
        "value": "x",
        "errors": [],
    }


def test_the_kinds_have_distinct_codes_and_old_bases() -> None:
    codes = {
        cls.code
        for cls in (
            InputError,
            NotFoundError,
            ConflictError,
            ModelMismatchError,
            MissingColumnsError,
            service_errors.AuthenticationError,
            service_errors.PolicyError,
            service_errors.WeakPasswordError,
        )
    }
    assert len(codes) == 8
    assert issubclass(InputError, ValueError) and issubclass(NotFoundError, LookupError)
    assert service_errors.NotFoundError is NotFoundError
    assert service_errors.ConflictError is ConflictError


def test_every_problem_of_an_input_file_is_in_the_shape() -> None:
    error = InvalidInputError([RowError("c.csv", 2, "lat", "x", "not a number")] * 2)
    shape = error.to_dict()
    assert shape["code"] == "invalid_input" and len(shape["errors"]) == 2
    assert shape["errors"][0] == {
        "file": "c.csv",
        "row": 2,
        "field": "lat",
        "value": "x",
        "message": "not a number",
    }


def test_a_missing_column_names_the_frame_and_the_column() -> None:
    with pytest.raises(MissingColumnsError) as caught:
        require_columns(pd.DataFrame({"a": [1]}), ["a", "b", "c"], "links frame")
    assert str(caught.value) == "links frame lacks column(s) b, c"
    assert caught.value.to_dict()["field"] == "b"


def test_use_cases_raise_caselink_errors_not_bare_value_errors(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(InputError, match="linkage needs at least two"):
        linking.open_engine(store)
    with pytest.raises(InputError, match="exactly one of --series"):
        profiling.ProfileRequest().check()
    with pytest.raises(InputError) as caught:
        assurance.as_of("not a date")
    assert caught.value.to_dict()["field"] == "--as-of"
    bad = tmp_path / "links.csv"
    bad.write_text("case_a,case_b,probability\nA,B,0.5\nA,C,1.7\n")
    with pytest.raises(InputError) as caught:
        linking.read_links_file(bad)
    assert (caught.value.row, caught.value.field, caught.value.value) == (2, "probability", "1.7")
    with pytest.raises(NotFoundError, match="no finished link run 7"):
        Results(store.engine).link_run(7)
