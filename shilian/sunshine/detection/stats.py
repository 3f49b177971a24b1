"""How often each rule is wrong: false-positive rate = dismissed / reviewed (light: no OpenCV)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from shilian.sunshine.choices import DetectionRule, DetectionStatus


@dataclass(frozen=True)
class RuleRate:
    rule: str
    label: str
    suspected: int
    confirmed: int
    dismissed: int

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def false_positive_rate(self) -> float | None:
        """Dismissed / reviewed; None while nothing of the rule was reviewed."""
        return self.dismissed / self.reviewed if self.reviewed else None


def false_positive_rates(detections: Any) -> list[RuleRate]:
    """Per rule (every rule, in the rules' order) over the given Detection queryset: one query."""
    counts = {
        row["rule"]: row
        for row in detections.order_by()
        .values("rule")
        .annotate(
            suspected=Count("pk", filter=Q(status=DetectionStatus.SUSPECTED)),
            confirmed=Count("pk", filter=Q(status=DetectionStatus.CONFIRMED)),
            dismissed=Count("pk", filter=Q(status=DetectionStatus.DISMISSED)),
        )
    }
    rates = []
    for rule in DetectionRule:
        row = counts.get(rule.value, {})
        rates.append(
            RuleRate(
                rule=rule.value,
                label=str(rule.label),
                suspected=row.get("suspected", 0),
                confirmed=row.get("confirmed", 0),
                dismissed=row.get("dismissed", 0),
            )
        )
    return rates
