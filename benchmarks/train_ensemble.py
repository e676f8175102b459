"""Train the ensemble on a store whatever cross-validation would choose.

``caselink train`` picks the ensemble unless a single model beats it on
grouped CV by more than a standard error, so which model a city gets can
change with the draw (design B's 100,000-case city got the ensemble on one
run, the boosted model on another). To time the ensemble's link on a city
whose ``train`` chose otherwise, this script fits it from the same training
sample ``train`` draws (every linked pair of solved cases and a weighted
sample of unlinked ones), with its odds corrected for the sample as
``train`` does, under the model's own blocking rules, and writes a model file
``caselink link --model`` reads.

Run:  .venv/bin/python benchmarks/train_ensemble.py STORE.db RULES_FROM.json OUT.json
(``RULES_FROM``: a model file trained on the store, whose rules are kept).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from caselink.linkage.models.ensemble import EnsembleLinkage
from caselink.linkage.persistence import SavedModel, save_model
from caselink.linkage.sampling import correct_prior_odds
from caselink.service.linking import open_engine
from caselink.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store", type=Path)
    parser.add_argument("rules_from", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    store = Store.open_existing(f"sqlite:///{args.store.resolve()}")
    engine = open_engine(store, args.rules_from).engine
    sample = engine.training_sample()
    prior = engine.default_model().estimator
    ensemble = EnsembleLinkage(
        engine.comparisons, target_log_ratio=getattr(prior, "log_ratio_", None), n_splits=5
    ).fit(engine.compare(sample.pairs), sample.y, groups=sample.groups)
    correct_prior_odds(ensemble, sample.rate)
    saved = SavedModel(
        ensemble,
        "ensemble",
        engine.schema,
        engine.config,
        engine.comparisons,
        engine.rules,
        {"training_pairs": sample.provenance(), "trained_by": "benchmarks/train_ensemble.py"},
    )
    save_model(saved, args.out)
    print(f"wrote {args.out} ({len(sample.y)} pairs) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
