"""Day-by-day replay: when would each series have been flagged, with what was known then."""

from caselink.replay.scoring import ReplayScore, score_replay, truth_labels
from caselink.replay.walk import ALERT_COLUMNS, ReplayResult, recording_order, replay

__all__ = [
    "ALERT_COLUMNS",
    "ReplayResult",
    "ReplayScore",
    "recording_order",
    "replay",
    "score_replay",
    "truth_labels",
]
