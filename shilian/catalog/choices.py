from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Food categories, after the SAMR production-licence category list (simplified)."""

    AQUATIC = "aquatic", _("水产制品")  # dried fish, shrimp, seaweed
    PASTRY = "pastry", _("糕点")  # cakes, mooncakes, pastries
    GRAIN = "grain", _("粮食加工品")  # rice cakes, rice noodles, flour
    NOODLES = "noodles", _("淀粉及淀粉制品")  # bean and starch noodles
    VEGETABLE = "vegetable", _("蔬菜及菌类制品")  # mushrooms, pickles
    MEAT = "meat", _("肉制品")
    SEASONING = "seasoning", _("调味品")
    BEVERAGE = "beverage", _("饮料")
    RAW = "raw", _("食用农产品/原辅料")  # raw materials and farm produce
    OTHER = "other", _("其他")


class ProductKind(models.TextChoices):
    FINISHED = "finished", _("成品")  # sold to customers
    RAW_MATERIAL = "raw_material", _("原辅料")  # bought in and consumed
