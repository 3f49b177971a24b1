"""A small world for the scan tests, built through the real actions.

A rice-cake workshop in 石塘镇 (Wenling) buys rice with a certificate and salt without
one, and makes 年糕 (GTIN 06901234567892) from them; a noodle lot of a product without a
GTIN gets a short code. Everything goes through chain and codes actions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shilian.catalog.models import Product
from shilian.chain.actions import Attachment, InputSpec, OutputSpec, receive_lot, record_transformation
from shilian.chain.documents import CheckedFile
from shilian.chain.models import Lot
from shilian.codes.actions import ensure_lot_code
from shilian.core.testing import factories as f
from shilian.registry.models import Enterprise

GTIN = "06901234567892"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)


def certificate(number: str = "QC-0917") -> Attachment:
    return Attachment(
        kind="certificate",
        number=number,
        file=CheckedFile("合格证.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest(), PDF),
    )


@dataclass
class World:
    workshop: Enterprise
    product: Product
    rice: Lot
    salt: Lot
    cake: Lot
    noodles: Lot
    short_path: str
    user: Any

    @property
    def path(self) -> str:
        return f"/01/{GTIN}/10/{self.cake.code}"


def make_world() -> World:
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    user = f.make_operator(workshop)
    product = f.make_product(
        workshop,
        name="年糕",
        specification="500克",
        gtin=GTIN,
        ingredients="大米、水、食盐",
        standard="GB 2713",
        storage="冷藏 0–4℃",
        shelf_life_days=30,
    )
    supplier = f.make_partner(workshop, name="温岭粮油批发")
    received_at = timezone.make_aware(dt.datetime(2024, 10, 1, 9, 0))
    rice = receive_lot(
        workshop,
        acting_user=user,
        occurred_at=received_at,
        quantity="100",
        unit="kg",
        product_name="大米",
        lot_code="DM2024",
        supplier=supplier,
        attachments=[certificate()],
    ).lines.get().lot
    salt = f.receive(workshop, product_name="食盐", lot_code="YAN1", quantity="10", supplier=f.make_partner(workshop, name="盐业公司"))
    cake = record_transformation(
        workshop,
        inputs=[InputSpec(rice, "40", "kg"), InputSpec(salt, "1", "kg")],
        outputs=[OutputSpec(product, "80", "kg", lot_code="NG20241008", produced_on=dt.date(2024, 10, 8))],
        occurred_at=timezone.make_aware(dt.datetime(2024, 10, 8, 8, 0)),
        acting_user=user,
    ).lines.get(role="output").lot
    plain = f.make_product(workshop, name="手工面", shelf_life_days=10)
    noodles = record_transformation(
        workshop,
        inputs=[InputSpec(rice, "10", "kg")],
        outputs=[OutputSpec(plain, "9", "kg", lot_code="MIAN1", produced_on=dt.date(2024, 10, 9))],
        occurred_at=timezone.make_aware(dt.datetime(2024, 10, 9, 8, 0)),
        acting_user=user,
    ).lines.get(role="output").lot
    short_uri = ensure_lot_code(noodles, acting_user=user)
    short_path = "/" + short_uri.split("/", 3)[3]
    return World(workshop, product, rice, salt, cake, noodles, short_path, user)
