"""Mention triage: language, sentiment, VIP authors, rules and spike detection; no I/O.

Its vocabulary and verdict (`Sentiment`, `Priority`, `TriageResult`) are in `models.triage`.
"""

from ensemble_ingest.triage.engine import Triage
from ensemble_ingest.triage.language import LanguageDetector
from ensemble_ingest.triage.predicates import MatchDoc
from ensemble_ingest.triage.rules import CompiledQuery, QueryError, compile_query
from ensemble_ingest.triage.sentiment import score_sentiment
from ensemble_ingest.triage.settings import Rule, RuleActions, TriageSettings
from ensemble_ingest.triage.spikes import BucketVerdict, bucket_verdict

__all__ = [
    "BucketVerdict",
    "CompiledQuery",
    "LanguageDetector",
    "MatchDoc",
    "QueryError",
    "Rule",
    "RuleActions",
    "Triage",
    "TriageSettings",
    "bucket_verdict",
    "compile_query",
    "score_sentiment",
]
