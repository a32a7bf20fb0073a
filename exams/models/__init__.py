from .analytics import AnalyticsSchedule, CandidateReadiness, CandidateStanding, ItemResponse, ItemStatistic
from .attempts import Attempt, AttemptDomainScore, AttemptItem, AttemptSubDomainScore, ExamBlueprint
from .seen import SeenQuestion

__all__ = [
    "AnalyticsSchedule",
    "Attempt",
    "AttemptDomainScore",
    "AttemptItem",
    "AttemptSubDomainScore",
    "CandidateReadiness",
    "CandidateStanding",
    "ExamBlueprint",
    "ItemResponse",
    "ItemStatistic",
    "SeenQuestion",
]
