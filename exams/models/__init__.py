from .analytics import AnalyticsSchedule, CandidateReadiness, CandidateStanding, ItemResponse, ItemStatistic
from .attempts import Attempt, AttemptDomainScore, AttemptItem, AttemptSubDomainScore, ExamBlueprint
from .learning import CalibrationSchedule, DiagnosticResult, ItemCalibration, ItemReview, ReviewCard
from .seen import SeenQuestion

__all__ = [
    "AnalyticsSchedule",
    "Attempt",
    "AttemptDomainScore",
    "AttemptItem",
    "AttemptSubDomainScore",
    "CalibrationSchedule",
    "CandidateReadiness",
    "CandidateStanding",
    "DiagnosticResult",
    "ExamBlueprint",
    "ItemCalibration",
    "ItemResponse",
    "ItemReview",
    "ItemStatistic",
    "ReviewCard",
    "SeenQuestion",
]
