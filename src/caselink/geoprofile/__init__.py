"""Geographic profiling: where the offender of a series probably lives.

Library first: build a :class:`~caselink.geoprofile.grid.Grid` over the study
area, score it with a method (:mod:`~caselink.geoprofile.rossmo`,
:mod:`~caselink.geoprofile.decay`, :mod:`~caselink.geoprofile.bayesian`,
:mod:`~caselink.geoprofile.baselines`), read the search order of a
:class:`~caselink.geoprofile.surface.Surface`, rank persons of interest
(:mod:`~caselink.geoprofile.persons`) and measure accuracy on solved series
(:mod:`~caselink.geoprofile.evaluation`). See ``docs/geoprofile.md``.
"""

from caselink.geoprofile.baselines import CentreOfMinimumDistance, Centroid, CircleHypothesis
from caselink.geoprofile.bayesian import BayesianJourneyToCrime
from caselink.geoprofile.decay import JourneyToCrime, NotFittedError
from caselink.geoprofile.evaluation import evaluate_series, summarise
from caselink.geoprofile.grid import Grid, study_area
from caselink.geoprofile.methods import METHODS, geoprofile, make_profiler
from caselink.geoprofile.persons import candidate_persons, persons_of_interest, rank_persons
from caselink.geoprofile.projection import LocalProjection
from caselink.geoprofile.rossmo import RossmoCGT
from caselink.geoprofile.solved import SolvedSeries, solved_series
from caselink.geoprofile.surface import SearchCost, Surface

__all__ = [
    "METHODS",
    "BayesianJourneyToCrime",
    "CentreOfMinimumDistance",
    "Centroid",
    "CircleHypothesis",
    "Grid",
    "JourneyToCrime",
    "LocalProjection",
    "NotFittedError",
    "RossmoCGT",
    "SearchCost",
    "SolvedSeries",
    "Surface",
    "candidate_persons",
    "evaluate_series",
    "geoprofile",
    "make_profiler",
    "persons_of_interest",
    "rank_persons",
    "solved_series",
    "study_area",
    "summarise",
]
