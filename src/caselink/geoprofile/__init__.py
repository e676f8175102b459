"""Geographic profiling: where the offender of a series probably lives.

Library first: build a :class:`~caselink.geoprofile.grid.Grid` over the study
area, score it with a method (:mod:`~caselink.geoprofile.rossmo`,
:mod:`~caselink.geoprofile.decay`, :mod:`~caselink.geoprofile.bayesian`,
:mod:`~caselink.geoprofile.baselines`), read the search order of a
:class:`~caselink.geoprofile.surface.Surface`, rank persons of interest
(:mod:`~caselink.geoprofile.persons`) and measure accuracy on solved series
(:mod:`~caselink.geoprofile.evaluation`). Where people live is a prior
(:mod:`~caselink.geoprofile.residential`); ``auto`` chooses the method on the
store's solved series (:mod:`~caselink.geoprofile.selection`);
:func:`~caselink.geoprofile.profile.profile_series` does it all for one
series. See ``docs/geoprofile.md``.
"""

from caselink.geoprofile.baselines import CentreOfMinimumDistance, Centroid, CircleHypothesis
from caselink.geoprofile.bayesian import BayesianJourneyToCrime, NormalJourneyToCrime
from caselink.geoprofile.decay import JourneyToCrime, NotFittedError
from caselink.geoprofile.evaluation import evaluate_series, summarise
from caselink.geoprofile.grid import Grid, study_area
from caselink.geoprofile.methods import METHODS, geoprofile, make_profiler
from caselink.geoprofile.persons import candidate_persons, persons_of_interest, rank_persons
from caselink.geoprofile.profile import SeriesProfile, profile_series
from caselink.geoprofile.projection import LocalProjection
from caselink.geoprofile.residential import ResidentialDensity, from_mentions, read_population
from caselink.geoprofile.rossmo import RossmoCGT
from caselink.geoprofile.selection import MethodChoice, choose_method
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
    "MethodChoice",
    "NormalJourneyToCrime",
    "NotFittedError",
    "ResidentialDensity",
    "RossmoCGT",
    "SearchCost",
    "SeriesProfile",
    "SolvedSeries",
    "Surface",
    "candidate_persons",
    "choose_method",
    "evaluate_series",
    "from_mentions",
    "geoprofile",
    "make_profiler",
    "persons_of_interest",
    "profile_series",
    "rank_persons",
    "read_population",
    "solved_series",
    "study_area",
    "summarise",
]
