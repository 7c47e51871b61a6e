"""The enum values of notify's admin detail pages (an endpoint's circuit breaker, a
delivery's attempts), merged into `labels.LABELS`; French in labels.po."""

from __future__ import annotations

from ensemble_console.web.i18n import N_

NOTIFY_LABELS: dict[str, dict[str, str]] = {
    "breaker_state": {
        "closed": N_("Closed: deliveries flow"),
        "open": N_("Open: deliveries wait"),
        "half_open": N_("Half-open: one test delivery decides"),
    },
    "attempt_outcome": {
        "delivered": N_("Delivered"),
        "retry": N_("Failed, to be retried"),
        "failed": N_("Failed"),
        "abandoned": N_("Abandoned (its process stopped)"),
    },
}
