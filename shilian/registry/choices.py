from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("省")  # 6-digit code ending 0000
    CITY = "city", _("市")  # 6-digit code ending 00
    COUNTY = "county", _("县/区")  # 6-digit county-level code
    TOWNSHIP = "township", _("乡镇/街道")  # 9-digit township code


class EnterpriseKind(models.TextChoices):
    WORKSHOP = "workshop", _("食品小作坊")  # registered small workshop (阳光作坊)
    MANUFACTURER = "manufacturer", _("食品生产企业")  # SC-licensed producer
    DISTRIBUTOR = "distributor", _("批发经营者")  # wholesaler / distributor
    RETAILER = "retailer", _("零售商店")  # shop or supermarket
    FARM = "farm", _("种养殖基地")  # farm or primary producer
    RESTAURANT = "restaurant", _("餐饮服务")  # catering


class RoleKind(models.TextChoices):
    OPERATOR = "operator", _("经营者")  # staff of one enterprise
    INSPECTOR = "inspector", _("监管人员")  # bureau staff of a jurisdiction subtree
    ADMIN = "admin", _("平台管理员")  # platform administrator


class PartnerKind(models.TextChoices):
    SUPPLIER = "supplier", _("供应商")
    CUSTOMER = "customer", _("客户")
    BOTH = "both", _("供应商和客户")
