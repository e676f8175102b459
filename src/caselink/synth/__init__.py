"""Synthetic crimes, deaths and people with known truth, and the shipped demo data set.

>>> from caselink.synth import generate, write
>>> data = generate(2000, seed=7)
>>> paths = write(data, "out/")          # doctest: +SKIP

``caselink.synth.demo.build_demo()`` builds the demo borough (a Barking-like
series hidden among ordinary deaths and crimes); its files ship in
``caselink/demo/``.
"""

from caselink.synth.catalogue import SCHEMA
from caselink.synth.files import write
from caselink.synth.generator import SynthData, generate

__all__ = ["SCHEMA", "SynthData", "generate", "write"]
