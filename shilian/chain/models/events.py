"""Traceability events (追溯事件): append-only, never updated or deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.chain.choices import EventType, LineRole


class TraceEvent(models.Model):
    """Something that happened to lots at one enterprise: what, when, where, who, why.

    Corrections are new ``void`` events pointing at the event they void; rows are never
    changed. ``enterprise`` is the distribution key for scale-out.
    """

    event_type = models.CharField(_("event type"), max_length=10, choices=EventType.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="trace_events"
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    room = models.CharField(_("room"), max_length=100, blank=True)
    partner = models.ForeignKey(
        "registry.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trace_events",
    )
    counterparty = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("on-platform counterparty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shipment = models.ForeignKey(
        "self",
        verbose_name=_("shipment received"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    voids = models.OneToOneField(
        "self",
        verbose_name=_("voids event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voided_by",
    )
    recall = models.ForeignKey(
        "chain.Recall",
        verbose_name=_("recall"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    reference_no = models.CharField(_("document number"), max_length=60, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        indexes = [
            models.Index(fields=["enterprise", "occurred_at"], name="event_by_enterprise"),
            models.Index(fields=["counterparty", "event_type"], name="event_by_counterparty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} #{self.pk}"


class EventLine(models.Model):
    """One lot in an event, with the quantity (in the lot's unit) going in or out."""

    event = models.ForeignKey(TraceEvent, verbose_name=_("event"), on_delete=models.PROTECT, related_name="lines")
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey("chain.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="event_lines")
    role = models.CharField(_("role"), max_length=10, choices=LineRole.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10)

    class Meta:
        verbose_name = _("event line")
        verbose_name_plural = _("event lines")
        constraints = [
            models.CheckConstraint(
                name="eventline_quantity_not_negative",
                condition=models.Q(quantity__gte=0),
                violation_error_message=_("Quantities are not negative."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.quantity} {self.unit} of lot {self.lot_id}"
