"""Generated data sets shared by the synth tests (generated once per session)."""

from __future__ import annotations

import pytest

from caselink.synth import SynthData, generate
from caselink.synth.demo import build_demo


@pytest.fixture(scope="session")
def borough() -> SynthData:
    """A 3,000-case borough with the default parameters."""
    return generate(3000, seed=11)


@pytest.fixture(scope="session")
def demo() -> SynthData:
    """The demo data set as build_demo() makes it."""
    return build_demo()
