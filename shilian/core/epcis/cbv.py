"""The GS1 Core Business Vocabulary (CBV 2.0) as data.

The standard words of each vocabulary (as the EPCIS 2.0 JSON-LD context lists them), their web URI
prefixes and their legacy URN prefixes (``urn:epcglobal:cbv:bizstep:…``). In EPCIS JSON a standard
word may be written bare (``"shipping"``), as a web URI (``https://ref.gs1.org/cbv/BizStep-shipping``),
as a CURIE (``cbv:BizStep-shipping``) or as the CBV 1.x URN; anything else must be a full URI
(a user vocabulary).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CBV: Final = "https://ref.gs1.org/cbv/"
GS1_VOC: Final = "https://gs1.org/voc/"

# fmt: off
BIZ_STEPS: Final = (
    "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
    "creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying",
    "disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting", "installing",
    "killing", "loading", "other", "packing", "picking", "receiving", "removing", "repackaging", "repairing",
    "replacing", "reserving", "retail_selling", "sampling", "sensor_reporting", "shipping",
    "staging_outbound", "stock_taking", "stocking", "storing", "transporting", "unloading", "unpacking",
    "void_shipping",
)
DISPOSITIONS: Final = (
    "active", "available", "completeness_verified", "completeness_inferred", "conformant", "container_closed",
    "container_open", "damaged", "destroyed", "dispensed", "disposed", "encoded", "expired", "in_progress",
    "in_transit", "inactive", "mismatch_instance", "mismatch_class", "mismatch_quantity", "needs_replacement",
    "no_pedigree_match", "non_conformant", "non_sellable_other", "partially_dispensed", "recalled",
    "reserved", "retail_sold", "returned", "sellable_accessible", "sellable_not_accessible", "stolen",
    "unavailable", "unknown",
)
BIZ_TRANSACTION_TYPES: Final = (
    "bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd",
    "testres", "upevt",
)
SOURCE_DEST_TYPES: Final = (
    "owning_party", "possessing_party", "location",
)
ERROR_REASONS: Final = (
    "did_not_occur", "incorrect_data",
)
MEASUREMENT_TYPES: Final = (
    "AbsoluteHumidity", "AbsorbedDose", "AbsorbedDoseRate", "Acceleration", "Radioactivity", "Altitude",
    "AmountOfSubstance", "AmountOfSubstancePerUnitVolume", "Angle", "AngularAcceleration", "AngularMomentum",
    "AngularVelocity", "Area", "Capacitance", "Conductance", "Conductivity", "Count", "Density",
    "Dimensionless", "DoseEquivalent", "DoseEquivalentRate", "DynamicViscosity", "ElectricCharge",
    "ElectricCurrent", "ElectricCurrentDensity", "ElectricFieldStrength", "Energy", "Exposure", "Force",
    "Frequency", "Illuminance", "Inductance", "Irradiance", "KinematicViscosity", "Length", "LinearMomentum",
    "Luminance", "LuminousFlux", "LuminousIntensity", "MagneticFlux", "MagneticFluxDensity",
    "MagneticVectorPotential", "Mass", "MassConcentration", "MassFlowRate", "MassPerAreaTime",
    "MemoryCapacity", "MolalityOfSolute", "MolarEnergy", "MolarMass", "MolarVolume", "Power", "Pressure",
    "RadiantFlux", "RadiantIntensity", "RelativeHumidity", "Resistance", "Resistivity", "SolidAngle",
    "SpecificVolume", "Speed", "SurfaceDensity", "SurfaceTension", "Temperature", "Time", "Torque", "Voltage",
    "Volume", "VolumeFlowRate", "VolumeFraction", "VolumetricFlux", "Wavenumber",
)
SENSOR_EXCEPTIONS: Final = (
    "ALARM_CONDITION", "ERROR_CONDITION",
)
COMPONENTS: Final = (
    "x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle",
    "elevation_angle", "easting", "northing", "latitude", "longitude", "altitude",
)
# fmt: on


@dataclass(frozen=True)
class Vocabulary:
    """One CBV vocabulary: its standard words and how their URIs are spelled."""

    name: str
    words: frozenset[str]
    uri_prefix: str  # https://ref.gs1.org/cbv/BizStep-
    curie_prefix: str  # cbv:BizStep-
    urn_prefix: str | None = None  # urn:epcglobal:cbv:bizstep:

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def uri(self, word: str) -> str:
        """The web URI of a standard word."""
        return self.uri_prefix + word

    def word(self, value: str) -> str | None:
        """The standard word a value names (bare, web URI, CURIE or CBV URN), else None."""
        for prefix in (self.uri_prefix, self.curie_prefix, self.urn_prefix):
            if prefix and value.startswith(prefix):
                value = value[len(prefix) :]
                break
        else:
            if ":" in value:
                return None
        return value if value in self.words else None

    def expand(self, value: str) -> str:
        """The web URI of a standard word written bare, CURIE or URN; other values unchanged."""
        word = self.word(value)
        return self.uri_prefix + word if word is not None else value


BIZ_STEP: Final = Vocabulary(
    "bizStep", frozenset(BIZ_STEPS), CBV + "BizStep-", "cbv:BizStep-", "urn:epcglobal:cbv:bizstep:"
)
DISPOSITION: Final = Vocabulary(
    "disposition", frozenset(DISPOSITIONS), CBV + "Disp-", "cbv:Disp-", "urn:epcglobal:cbv:disp:"
)
BIZ_TRANSACTION_TYPE: Final = Vocabulary(
    "bizTransactionType", frozenset(BIZ_TRANSACTION_TYPES), CBV + "BTT-", "cbv:BTT-", "urn:epcglobal:cbv:btt:"
)
SOURCE_DEST_TYPE: Final = Vocabulary(
    "sourceOrDestinationType", frozenset(SOURCE_DEST_TYPES), CBV + "SDT-", "cbv:SDT-", "urn:epcglobal:cbv:sdt:"
)
ERROR_REASON: Final = Vocabulary(
    "errorReason", frozenset(ERROR_REASONS), CBV + "ER-", "cbv:ER-", "urn:epcglobal:cbv:er:"
)
MEASUREMENT_TYPE: Final = Vocabulary("measurementType", frozenset(MEASUREMENT_TYPES), GS1_VOC, "gs1:")
SENSOR_EXCEPTION: Final = Vocabulary("sensorException", frozenset(SENSOR_EXCEPTIONS), GS1_VOC, "gs1:")
COMPONENT: Final = Vocabulary("component", frozenset(COMPONENTS), CBV + "Comp-", "cbv:Comp-")

ACTIONS: Final = ("ADD", "OBSERVE", "DELETE")
EVENT_TYPES: Final = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
