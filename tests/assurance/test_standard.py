"""The standard: shipped default, conditions, and errors that name file, key and value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from caselink.assurance.standard import (
    ACTION_CODES,
    CASE_TYPES,
    StandardError,
    default_standard,
    load_standard,
    parse_standard,
)


def test_default_standard_covers_every_case_type_with_vocabulary_codes() -> None:
    std = default_standard()
    assert std.version == "2025.1"
    assert set(std.case_types) == set(CASE_TYPES)
    for reqs in std.case_types.values():
        assert reqs, "every case type needs at least one check"
        assert {r.action for r in reqs} <= set(ACTION_CODES)


def test_default_standard_cites_its_sources_and_every_requirement_has_one() -> None:
    std = default_standard()
    titles = " ".join(s.title for s in std.sources)
    assert "Death investigation" in titles
    assert "Prevent Future Deaths" in titles
    assert "forensic specimens" in titles
    for reqs in std.case_types.values():
        for r in reqs:
            assert r.sources, f"{r.action} cites no source"
            for sid in r.sources:
                std.source(sid)  # raises KeyError if uncited


def test_default_deadlines_from_the_brief() -> None:
    std = default_standard()
    death = {r.action: r for r in std.requirements_for("unexplained_death")}
    assert death["toxicology"].within_days == 2
    assert death["note_handwriting"].within_days == 7
    assert death["note_handwriting"].when == {"note_found": ("yes",)}


def test_condition_matches_single_multi_and_any_values() -> None:
    std = default_standard()
    note = next(
        r for r in std.requirements_for("drug_related_death") if r.action == "note_handwriting"
    )
    assert note.applies_to({"note_found": "yes"})
    assert not note.applies_to({"note_found": "no"})
    assert not note.applies_to({})
    tox = next(r for r in std.requirements_for("sexual_offence") if r.action == "toxicology")
    assert tox.applies_to({"drugs": ("ghb",)})
    assert not tox.applies_to({"drugs": ()})


def test_yaml_yes_is_read_as_the_string_yes(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare `yes` as True; the condition must still be "yes"
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\nversion: 1\ncase_types:\n  unexplained_death:\n"
        "    - {action: note_handwriting, within_days: 7, when: {note_found: [yes]}}\n"
    )
    std = load_standard(path)
    assert std.version == "1"
    assert std.case_types["unexplained_death"][0].when == {"note_found": ("yes",)}


def test_errors_name_file_key_and_value_and_are_all_collected(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    doc = {
        "name": "bad",
        "version": "1",
        "case_types": {
            "drug_related_death": [
                {"action": "toxicolgy", "within_days": 2},
                {"action": "cctv", "within_days": -1},
            ]
        },
    }
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(StandardError) as info:
        load_standard(path)
    errors = info.value.errors
    assert len(errors) == 2
    assert str(path) in errors[0]
    assert "case_types.drug_related_death.0.action" in errors[0]
    assert "'toxicolgy'" in errors[0]
    assert "case_types.drug_related_death.1.within_days" in errors[1]
    assert "-1" in errors[1]


def test_unknown_case_type_and_uncited_source_are_refused() -> None:
    with pytest.raises(StandardError, match="unknown case type 'murder'"):
        parse_standard(
            {
                "name": "x",
                "version": "1",
                "case_types": {"murder": [{"action": "cctv", "within_days": 1}]},
            },
            "x.yaml",
        )
    with pytest.raises(StandardError, match="'nope' is not an id in sources"):
        parse_standard(
            {
                "name": "x",
                "version": "1",
                "case_types": {
                    "theft": [{"action": "cctv", "within_days": 1, "sources": ["nope"]}]
                },
            },
            "x.yaml",
        )


def test_duplicate_action_and_unreadable_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StandardError, match="listed twice"):
        parse_standard(
            {
                "name": "x",
                "version": "1",
                "case_types": {
                    "theft": [
                        {"action": "cctv", "within_days": 1},
                        {"action": "cctv", "within_days": 2},
                    ]
                },
            }
        )
    with pytest.raises(StandardError, match="cannot read"):
        load_standard(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(StandardError, match="not valid YAML"):
        load_standard(broken)
