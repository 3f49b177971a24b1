from shilian.registry.models.enterprises import Enterprise
from shilian.registry.models.jurisdictions import Jurisdiction
from shilian.registry.models.partners import Partner
from shilian.registry.models.people import Role, StaffMember

__all__ = ["Enterprise", "Jurisdiction", "Partner", "Role", "StaffMember"]
