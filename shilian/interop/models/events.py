"""The EPCIS event store: every event captured through /epcis/ or recorded by the pages,
as EPCIS 2.0, with the index rows the query parameters read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shilian.interop.choices import IdentifierRole, SourceDestKind

URI_LENGTH = 255


class EpcisEventQuerySet(models.QuerySet["EpcisEvent"]):
    def for_user(self, user: object) -> EpcisEventQuerySet:
        from shilian.interop.access import epcis_event_filter  # noqa: PLC0415 — access imports models

        return self.filter(epcis_event_filter(user))


class EpcisEvent(models.Model):
    """One EPCIS 2.0 event as stored: its body (with ``eventID`` and ``recordTime``) and the
    fields the query parameters filter on, copied out of it.

    ``event_id`` is the captured ``eventID`` or, without one, the CBV 2.0 hash ID. An error
    declaration about an event is stored as its own row with the same ``event_id`` (EPCIS
    keeps both). ``trace_event`` is the chain event the event recorded (captured events
    that map to the chain) or was rendered from (events recorded by the pages).
    Rows are never changed.
    """

    event_id = models.CharField(_("event ID"), max_length=URI_LENGTH)
    event_hash = models.CharField(_("event hash"), max_length=100)
    event_type = models.CharField(_("event type"), max_length=100)
    event_time = models.DateTimeField(_("event time"))
    event_time_zone_offset = models.CharField(_("event time zone offset"), max_length=6)
    record_time = models.DateTimeField(_("record time"))
    action = models.CharField(_("action"), max_length=10, blank=True)
    biz_step = models.CharField(_("business step"), max_length=URI_LENGTH, blank=True)
    disposition = models.CharField(_("disposition"), max_length=URI_LENGTH, blank=True)
    # canonical identifiers (URN and Digital Link forms of one thing compare equal)
    read_point = models.CharField(_("read point"), max_length=URI_LENGTH, blank=True)
    biz_location = models.CharField(_("business location"), max_length=URI_LENGTH, blank=True)
    transformation_id = models.CharField(_("transformation ID"), max_length=URI_LENGTH, blank=True)
    has_error_declaration = models.BooleanField(_("error declaration"), default=False)
    error_declared_at = models.DateTimeField(_("error declared at"), null=True, blank=True)
    error_reason = models.CharField(_("error reason"), max_length=URI_LENGTH, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trace_event = models.OneToOneField(
        "chain.TraceEvent",
        verbose_name=_("chain event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="epcis_event",
    )
    capture_job = models.ForeignKey(
        "interop.CaptureJob",
        verbose_name=_("capture job"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    body = models.JSONField(_("event"))
    # the document's @context entries beyond the GS1 context (namespace prefixes of extensions)
    context = models.JSONField(_("JSON-LD context"), default=list, blank=True)

    objects = EpcisEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("EPCIS event")
        verbose_name_plural = _("EPCIS events")
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "has_error_declaration"],
                name="epcisevent_unique_id",
                violation_error_message=_("An event with this eventID is already stored."),
            )
        ]
        indexes = [
            models.Index(fields=["event_hash"], name="epcisevent_hash"),
            models.Index(fields=["event_time"], name="epcisevent_time"),
            models.Index(fields=["record_time"], name="epcisevent_record_time"),
            models.Index(fields=["biz_location"], name="epcisevent_biz_location"),
            models.Index(fields=["read_point"], name="epcisevent_read_point"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class EpcisIdentifier(models.Model):
    """One EPC or EPC class an event names, canonical, with its role (and its quantity in a
    quantity list): what ``MATCH_epc``, ``MATCH_anyEPCClass`` … look up."""

    event = models.ForeignKey(
        EpcisEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="identifiers", db_index=False
    )
    role = models.CharField(_("role"), max_length=16, choices=IdentifierRole.choices)
    value = models.CharField(_("identifier"), max_length=URI_LENGTH)
    quantity = models.DecimalField(_("quantity"), max_digits=24, decimal_places=6, null=True, blank=True)
    uom = models.CharField(_("unit of measure"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("EPCIS identifier")
        verbose_name_plural = _("EPCIS identifiers")
        # covering: a MATCH_ parameter is one index range per value, no table reads
        indexes = [models.Index(fields=["value", "role", "event"], name="epcisidentifier_match")]

    def __str__(self) -> str:
        return f"{self.role} {self.value}"


class EpcisBizTransaction(models.Model):
    """A business transaction an event names (``EQ_bizTransaction_{type}``)."""

    event = models.ForeignKey(
        EpcisEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="biz_transactions", db_index=False
    )
    type = models.CharField(_("type"), max_length=URI_LENGTH, blank=True)
    value = models.CharField(_("business transaction"), max_length=URI_LENGTH)

    class Meta:
        verbose_name = _("EPCIS business transaction")
        verbose_name_plural = _("EPCIS business transactions")
        indexes = [models.Index(fields=["type", "value", "event"], name="epcisbiztransaction_match")]

    def __str__(self) -> str:
        return f"{self.type} {self.value}"


class EpcisSourceDest(models.Model):
    """A source or destination of an event (``EQ_source_{type}``, ``EQ_destination_{type}``)."""

    event = models.ForeignKey(
        EpcisEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sources_dests", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=11, choices=SourceDestKind.choices)
    type = models.CharField(_("type"), max_length=URI_LENGTH)
    value = models.CharField(_("party or location"), max_length=URI_LENGTH)

    class Meta:
        verbose_name = _("EPCIS source or destination")
        verbose_name_plural = _("EPCIS sources and destinations")
        indexes = [models.Index(fields=["kind", "type", "value", "event"], name="epcissourcedest_match")]

    def __str__(self) -> str:
        return f"{self.kind} {self.type} {self.value}"


class ChainLink(models.Model):
    """A chain event and the stored EPCIS event that recorded it or was rendered from it.

    An EPCIS event may record several chain events (a receipt of three lots is three
    receipts); ``EpcisEvent.trace_event`` names the first, these rows all of them, so that
    the sync never renders a chain event that is already in the store.
    """

    trace_event = models.OneToOneField(
        "chain.TraceEvent", verbose_name=_("chain event"), on_delete=models.PROTECT, related_name="epcis_link"
    )
    event = models.ForeignKey(
        EpcisEvent, verbose_name=_("EPCIS event"), on_delete=models.CASCADE, related_name="chain_links"
    )

    class Meta:
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")

    def __str__(self) -> str:
        return f"chain event {self.trace_event_id} → EPCIS event {self.event_id}"


class ChainSync(models.Model):
    """How far the store has caught up with the chain: every chain event up to ``watermark``
    (a ``TraceEvent`` id) is stored as an EPCIS event, or never will be (rolled back). Above
    it, ``pending`` is the highest id seen so far, settled once every transaction that could
    still commit a lower id has ended (``interop.sync``). One row."""

    name = models.CharField(_("name"), max_length=20, primary_key=True)
    watermark = models.BigIntegerField(_("last chain event settled"), default=0)
    pending = models.BigIntegerField(_("highest chain event seen, not yet settled"), null=True, blank=True)
    pending_since = models.DateTimeField(_("seen at"), null=True, blank=True)
    # the PostgreSQL transactions (xid8, as text) in progress once the grace period had passed
    waiting_for = models.JSONField(_("transactions waited for"), null=True, blank=True)

    class Meta:
        verbose_name = _("chain sync state")
        verbose_name_plural = _("chain sync states")

    def __str__(self) -> str:
        return f"{self.name} @ {self.watermark}"
