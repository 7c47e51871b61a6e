"""The words of reports and charts, in English and French, and how numbers are written."""

from __future__ import annotations

from datetime import date

from ensemble_shared.events import Localized

LABELS: dict[str, tuple[str, str]] = {
    # figures
    "mentions": ("Mentions", "Mentions"),
    "negative_share": ("Negative share", "Part négative"),
    "spikes": ("Spikes", "Pics d'activité"),
    "inbox_replied": ("Replies", "Réponses"),
    "reply_time_p50": ("Median time to reply", "Délai médian de réponse"),
    "sla_breaches": ("Replies past SLA", "Réponses hors délai"),
    "approvals_completed": ("Approvals completed", "Validations terminées"),
    "approval_cycle_p50": ("Median approval time", "Délai médian de validation"),
    "published": ("Posts published", "Publications"),
    "on_time_share": ("Published on time", "Publiées à l'heure"),
    "publish_failed": ("Publishing failures", "Échecs de publication"),
    "members_registered": ("New members", "Nouveaux membres"),
    "active_members": ("Active members", "Membres actifs"),
    "submissions": ("Ideas and feedback", "Idées et retours"),
    "votes": ("Votes", "Votes"),
    "rsvps_confirmed": ("Confirmed RSVPs", "Inscriptions confirmées"),
    "deliveries_sent": ("Notifications sent", "Notifications envoyées"),
    "notification_latency_p50": ("Median time to notify", "Délai médian de notification"),
    "failure_rate": ("Delivery failure rate", "Taux d'échec d'envoi"),
    # chart series and titles
    "positive": ("Positive", "Positives"),
    "neutral": ("Neutral", "Neutres"),
    "negative": ("Negative", "Négatives"),
    "change_percent": ("Change against the previous week (%)", "Évolution sur la semaine (%)"),
    "chart.mentions": ("Mentions per day, by sentiment", "Mentions par jour, par tonalité"),
    "chart.responsiveness": ("Inbox: replies and SLA breaches", "Boîte : réponses et retards"),
    "chart.community": ("Community per day", "Communauté par jour"),
    "chart.comparison": (
        "This week against the previous one",
        "Cette semaine face à la précédente",
    ),
    "title": ("Weekly insights", "Bilan de la semaine"),
}

DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}


def label(key: str, language: str) -> str:
    english, french = LABELS.get(key, (key, key))
    return french if language == "fr" else english


def localized(key: str) -> Localized:
    english, french = LABELS.get(key, (key, key))
    return Localized(en=english, fr=french)


def day_label(day: date, language: str) -> str:
    return f"{DAYS['fr' if language == 'fr' else 'en'][day.weekday()]} {day.day}"


def _count(value: float, language: str) -> str:
    text = f"{round(value):,}"
    return text.replace(",", "\u202f") if language == "fr" else text


def _duration(seconds: float, language: str) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"
    days = round(hours / 24)
    return f"{days} j" if language == "fr" else f"{days} d"


def formatted(value: float | None, unit: str, language: str) -> str:
    if value is None:
        return "—"
    if unit == "seconds":
        return _duration(value, language)
    if unit == "ratio":
        percent = f"{value * 100:.0f}"
        return f"{percent}\u202f%" if language == "fr" else f"{percent}%"
    return _count(value, language)


def formatted_both(value: float | None, unit: str) -> Localized:
    return Localized(en=formatted(value, unit, "en"), fr=formatted(value, unit, "fr"))
