"""Lots (批次) and the lot graph the trace walks."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.chain.choices import EdgeKind, LotOrigin, LotStatus, TestStatus


class Lot(models.Model):
    """A batch of one product held by one enterprise: what a lot code names.

    ``quantity_on_hand``, ``status`` and ``test_status`` are projections of the lot's
    events, updated in the same transaction and rebuildable by ``shilian check``.
    A lot received from an off-platform supplier keeps the supplier and their lot code.
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="lots"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="lots"
    )
    product_name = models.CharField(_("product name"), max_length=200)
    code = models.CharField(_("lot code"), max_length=20)
    unit = models.CharField(_("unit"), max_length=10)
    origin = models.CharField(_("origin"), max_length=10, choices=LotOrigin.choices)
    produced_on = models.DateField(_("production date"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    supplier = models.ForeignKey(
        "registry.Partner", verbose_name=_("supplier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where a received lot came from, so that two producers' lots with the same product
    # name and lot code stay two lots at the receiver: "lot:<id>" for an on-platform
    # shipment, "partner:<id>" for an off-platform supplier, "" for lots made here.
    source_key = models.CharField(_("source key"), max_length=40, blank=True, default="", db_default="")
    status = models.CharField(_("status"), max_length=10, choices=LotStatus.choices, default=LotStatus.ACTIVE)
    test_status = models.CharField(
        _("test status"), max_length=10, choices=TestStatus.choices, default=TestStatus.UNTESTED
    )
    quantity_on_hand = models.DecimalField(_("quantity on hand"), max_digits=14, decimal_places=3, default=0)
    quantity_in = models.DecimalField(_("quantity received or produced"), max_digits=14, decimal_places=3, default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "product_name", "code", "source_key"],
                name="lot_unique_code",
                violation_error_message=_("This lot code is already used for this product."),
            ),
            models.CheckConstraint(
                name="lot_stock_not_negative",
                condition=models.Q(quantity_on_hand__gte=0),
                violation_error_message=_("Stock cannot go negative."),
            ),
            models.CheckConstraint(
                name="lot_expiry_after_production",
                condition=models.Q(expires_on__isnull=True)
                | models.Q(produced_on__isnull=True)
                | models.Q(expires_on__gte=models.F("produced_on")),
                violation_error_message=_("Expiry cannot be before production."),
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status", "expires_on"], name="lot_stock_list"),
            models.Index(fields=["code"], name="lot_code"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {self.code}"


class LotEdge(models.Model):
    """One arrow of the lot graph: ``src`` went into ``dst`` (made into it, or shipped as it).

    A projection of transform and receive events, indexed both ways so that a trace in
    either direction is one recursive query.
    """

    # No single-column indexes: lotedge_forward (src, dst) and lotedge_backward (dst, src) cover both.
    src = models.ForeignKey(
        Lot, verbose_name=_("from lot"), on_delete=models.PROTECT, related_name="out_edges", db_index=False
    )
    dst = models.ForeignKey(
        Lot, verbose_name=_("to lot"), on_delete=models.PROTECT, related_name="in_edges", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EdgeKind.choices)
    event = models.ForeignKey(
        "chain.TraceEvent", verbose_name=_("event"), on_delete=models.PROTECT, related_name="edges"
    )
    quantity = models.DecimalField(_("quantity from source"), max_digits=14, decimal_places=3)
    # What the arrow leads to, copied from ``dst`` in the same transaction as every change of
    # it (``projections.sync_arrows``, called by the actions): a recall impact walks
    # lotedge_reach and reads no lot row (ADR 0008). ``shilian check`` compares them.
    dst_enterprise = models.BigIntegerField(_("to lot's enterprise"), db_default=0)
    dst_unit = models.CharField(_("to lot's unit"), max_length=10, db_default="")
    dst_on_hand = models.DecimalField(
        _("to lot's quantity on hand"), max_digits=14, decimal_places=3, db_default=Decimal(0)
    )
    # whether ``dst`` has shipments out (a LotShipment row): a walk looks up the shipments of
    # the lots that have some, not of every lot it reaches (ADR 0011)
    dst_shipped = models.BooleanField(_("to lot has shipments"), db_default=False)

    class Meta:
        verbose_name = _("lot edge")
        verbose_name_plural = _("lot edges")
        indexes = [
            models.Index(fields=["src", "dst"], name="lotedge_forward"),
            models.Index(fields=["dst", "src"], name="lotedge_backward"),
            models.Index(
                fields=["src", "dst", "dst_enterprise", "dst_unit", "dst_on_hand", "dst_shipped"], name="lotedge_reach"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.src_id} → {self.dst_id}"


class LotShipment(models.Model):
    """A projection of live shipments: how much of a lot a ship event sent out, to whom,
    and how much an on-platform receiver has booked in so far.

    Kept beside the lot graph so that a forward trace finds every customer with one index
    probe per lot; rebuilt from the events by ``shilian check``.
    """

    event = models.ForeignKey(
        "chain.TraceEvent", verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="lot_shipments"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="shipments", db_index=False
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("shipper"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "registry.Partner", verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counterparty = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("on-platform receiver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("shipped at"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10)
    received = models.DecimalField(_("quantity received"), max_digits=14, decimal_places=3, default=0, db_default=0)

    class Meta:
        verbose_name = _("lot shipment")
        verbose_name_plural = _("lot shipments")
        # Covering for the trace: one index range per reached lot, no row reads. The recall
        # impact reads a narrower one (its walk carries the shipper and unit: the lot's own):
        # fewer pages to descend for every shipped lot it reaches (ADR 0011).
        indexes = [
            models.Index(
                fields=["lot", "enterprise", "partner", "counterparty", "unit", "quantity", "received", "event", "occurred_at"],
                name="lotshipment_by_lot",
            ),
            models.Index(fields=["lot", "partner", "counterparty", "quantity", "received"], name="lotshipment_impact"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} of lot {self.lot_id} in shipment {self.event_id}"
