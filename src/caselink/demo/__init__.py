"""The demo: a shipped scenario and the story it tells.

The scenario is data, not code: the open-format files in this folder (cases,
people, actions, schema), the generator's truth files and ``planted.json`` (the
ids of what the demo hides, written by ``caselink.synth.demo.write_demo``).
:mod:`caselink.demo.story` tells the story over a store loaded from them,
reading the planted ids instead of regenerating the city.
"""
