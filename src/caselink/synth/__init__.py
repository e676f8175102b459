"""Synthetic crimes, deaths and people with known truth, and the shipped demo data set.

>>> from caselink.synth import generate, write
>>> data = generate(2000, seed=7)
>>> paths = write(data, "out/")          # doctest: +SKIP
>>> city_b = generate(2000, seed=7, design="B")   # the second, independent design

Design A (:mod:`caselink.synth.generator`) is the default; design B
(:mod:`caselink.synth.design_b`, docs/synth.md) writes the same files from
another world: other MO vocabulary, drifting offenders, sparse recording, a
denser centred city, twins and father/son pairs.

``caselink.synth.demo.build_demo()`` builds the demo borough (a Barking-like
series hidden among ordinary deaths and crimes); its files ship in
``caselink/demo/``.
"""

from caselink.synth.catalogue import SCHEMA
from caselink.synth.files import write
from caselink.synth.generator import SynthData, generate

__all__ = ["SCHEMA", "SynthData", "generate", "write"]
