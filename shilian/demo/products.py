"""What the demo enterprises buy and make: raw materials, and products with one batch's recipe.

Standards are the GB national food-safety standard of each product's category
(GB 10136 animal aquatic products, GB 7099 pastries, GB 2713 starch products, GB 2714
pickles, GB 2712 bean products, GB 7096 edible fungi, GB 19643 algae, GB 17399 candy);
年糕, which has no category standard of its own, names the general contaminant limits
(GB 2762). Recipes and yields are plausible round figures, not measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

FARM = "xgjd"  # the Xinhe mushroom base's slug (see enterprises.py)
PICKLES = "rh2"  # the Ruoheng pickled-vegetable workshop's slug


@dataclass(frozen=True)
class Material:
    """A raw material: who supplies it, in what unit, how long it keeps, how much is ordered."""

    name: str
    name_en: str
    supplier: str  # a key of enterprises.SUPPLIERS, or "slug:<enterprise slug>" for an on-platform supplier
    unit: str = "kg"
    shelf_life_days: int = 180
    order: int = 200  # the usual order quantity, in ``unit``


MATERIALS = {
    m.name: m
    for m in [
        Material("小麦粉", "Wheat flour", "flour", shelf_life_days=180, order=500),
        Material("食用盐", "Edible salt", "salt", shelf_life_days=1095, order=100),
        Material("鲜鳗鱼", "Fresh conger eel", "fish", shelf_life_days=3, order=300),
        Material("鲜带鱼", "Fresh hairtail", "fish", shelf_life_days=3, order=300),
        Material("鲜马鲛鱼", "Fresh Spanish mackerel", "fish", shelf_life_days=3, order=120),
        Material("鲜虾", "Fresh shrimp", "fish", shelf_life_days=2, order=240),
        Material("冷冻鱿鱼", "Frozen squid", "fish", shelf_life_days=270, order=300),
        Material("鲜紫菜", "Fresh laver", "fish", shelf_life_days=2, order=200),
        Material("糯米", "Glutinous rice", "grain", shelf_life_days=365, order=300),
        Material("晚粳米", "Late japonica rice", "grain", shelf_life_days=365, order=500),
        Material("绿豆", "Mung beans", "grain", shelf_life_days=365, order=200),
        Material("黄豆", "Soybeans", "grain", shelf_life_days=365, order=200),
        Material("黑芝麻", "Black sesame", "grain", shelf_life_days=365, order=50),
        Material("花生仁", "Peanut kernels", "grain", shelf_life_days=270, order=50),
        Material("红枣", "Red dates", "grain", shelf_life_days=365, order=30),
        Material("菜籽油", "Rapeseed oil", "grain", shelf_life_days=540, order=60),
        Material("白砂糖", "White sugar", "sugar", shelf_life_days=730, order=100),
        Material("红糖", "Brown sugar", "sugar", shelf_life_days=730, order=50),
        Material("麦芽糖", "Maltose syrup", "sugar", shelf_life_days=540, order=80),
        Material("番薯淀粉", "Sweet potato starch", "starch", shelf_life_days=730, order=600),
        Material("芥菜", "Mustard greens", "veg", shelf_life_days=5, order=400),
        Material("鲜猪肉", "Fresh pork", "meat", shelf_life_days=3, order=20),
        Material("香菇菌棒", "Shiitake grow logs", "logs", unit="piece", shelf_life_days=150, order=6000),
        Material("鲜香菇", "Fresh shiitake", f"slug:{FARM}", shelf_life_days=7, order=12),
        Material("梅干菜", "Dried preserved mustard", f"slug:{PICKLES}", shelf_life_days=365, order=20),
    ]
}


@dataclass(frozen=True)
class ProductSpec:
    """A product line and one batch of it: inputs (material or own product, quantity) → output."""

    name: str
    specification: str
    unit: str
    shelf_life_days: int
    category: str
    ingredients: str
    storage: str
    standard: str
    inputs: tuple[tuple[str, str], ...]
    output: str  # quantity of one batch, in ``unit``
    every: int  # a batch every ``every`` days
    gtin: bool = False
    kind: str = "finished"

    @property
    def output_quantity(self) -> Decimal:
        return Decimal(self.output)


DRY = "常温、阴凉干燥处保存"
COLD = "0–4 ℃冷藏"
FROZEN = "−18 ℃以下冷冻"

_P = ProductSpec
TRADES: dict[str, tuple[ProductSpec, ...]] = {
    "fish": (
        _P("鳗鲞", "散装", "kg", 180, "aquatic", "鳗鱼、食用盐", FROZEN, "GB 10136-2015",
           (("鲜鳗鱼", "100"), ("食用盐", "4")), "38", 4),
        _P("带鱼干", "散装", "kg", 180, "aquatic", "带鱼、食用盐", FROZEN, "GB 10136-2015",
           (("鲜带鱼", "100"), ("食用盐", "4")), "35", 5, gtin=True),
    ),
    "shrimp": (
        _P("虾干", "250克/袋", "bag", 270, "aquatic", "虾、食用盐", DRY, "GB 10136-2015",
           (("鲜虾", "80"), ("食用盐", "3")), "88", 4, gtin=True),
    ),
    "squid": (
        _P("鱿鱼丝", "250克/袋", "bag", 270, "aquatic", "鱿鱼、白砂糖、食用盐", DRY, "GB 10136-2015",
           (("冷冻鱿鱼", "60"), ("白砂糖", "5"), ("食用盐", "2")), "110", 5, gtin=True),
    ),
    "seaweed": (
        _P("头水紫菜", "50克/袋", "bag", 365, "aquatic", "紫菜", DRY, "GB 19643-2016",
           (("鲜紫菜", "100"),), "240", 6, gtin=True),
    ),
    "fishnoodle": (
        _P("鱼面", "散装", "kg", 180, "aquatic", "马鲛鱼、番薯淀粉、食用盐", DRY, "GB 10136-2015",
           (("鲜马鲛鱼", "40"), ("番薯淀粉", "20"), ("食用盐", "1")), "45", 4),
    ),
    "mochi": (
        _P("麻糍", "散装", "kg", 2, "pastry", "糯米、白砂糖、黑芝麻", COLD, "GB 7099-2015",
           (("糯米", "30"), ("白砂糖", "3"), ("黑芝麻", "2")), "36", 2),
    ),
    "songgao": (
        _P("松糕", "散装", "kg", 2, "pastry", "晚粳米、糯米、红糖、红枣", COLD, "GB 7099-2015",
           (("晚粳米", "20"), ("糯米", "10"), ("红糖", "4"), ("红枣", "2")), "40", 2),
    ),
    "mooncake": (
        _P("泽国月饼", "100克/个", "piece", 45, "pastry", "小麦粉、白砂糖、黑芝麻、菜籽油", DRY, "GB 7099-2015",
           (("小麦粉", "20"), ("白砂糖", "6"), ("黑芝麻", "3"), ("菜籽油", "4")), "300", 6, gtin=True),
        _P("麻糍", "散装", "kg", 2, "pastry", "糯米、白砂糖、黑芝麻", COLD, "GB 7099-2015",
           (("糯米", "20"), ("白砂糖", "2"), ("黑芝麻", "1")), "24", 3),
    ),
    "qinggao": (
        _P("番薯庆糕", "散装", "kg", 3, "pastry", "糯米、番薯淀粉、红糖", COLD, "GB 7099-2015",
           (("糯米", "15"), ("番薯淀粉", "10"), ("红糖", "3")), "30", 3),
    ),
    "maibing": (
        _P("梅干菜麦饼", "150克/个", "piece", 2, "pastry", "小麦粉、梅干菜、猪肉", COLD, "GB 7099-2015",
           (("小麦粉", "20"), ("梅干菜", "4"), ("鲜猪肉", "5")), "200", 2),
    ),
    "niangao": (
        _P("年糕", "500克/袋", "bag", 30, "grain", "晚粳米", COLD, "GB 2762-2022",
           (("晚粳米", "50"),), "130", 3, gtin=True),
    ),
    "qiangao": (
        _P("年糕", "散装", "kg", 15, "grain", "晚粳米", COLD, "GB 2762-2022",
           (("晚粳米", "40"),), "52", 3),
        _P("香菇嵌糕", "200克/个", "piece", 1, "grain", "年糕、香菇、猪肉", COLD, "GB 2762-2022",
           (("年糕", "12"), ("鲜香菇", "4"), ("鲜猪肉", "3")), "95", 2),
    ),
    "mushroom": (
        _P("香菇干", "250克/袋", "bag", 365, "vegetable", "香菇", DRY, "GB 7096-2014",
           (("鲜香菇", "60"),), "28", 5, gtin=True),
        _P("香菇酱", "200克/瓶", "bottle", 270, "vegetable", "香菇、菜籽油、食用盐、白砂糖", DRY, "GB 7096-2014",
           (("鲜香菇", "20"), ("菜籽油", "8"), ("食用盐", "1"), ("白砂糖", "1")), "130", 6, gtin=True),
    ),
    "noodles": (
        _P("番薯粉丝", "散装", "kg", 365, "noodles", "番薯淀粉", DRY, "GB 2713-2015",
           (("番薯淀粉", "100"),), "92", 5),
    ),
    "mungbean": (
        _P("绿豆粉干", "500克/袋", "bag", 365, "noodles", "绿豆、番薯淀粉", DRY, "GB 2713-2015",
           (("绿豆", "40"), ("番薯淀粉", "20")), "110", 5, gtin=True),
    ),
    "pickles": (
        _P("梅干菜", "散装", "kg", 365, "vegetable", "芥菜、食用盐", DRY, "GB 2714-2015",
           (("芥菜", "200"), ("食用盐", "12")), "45", 6),
    ),
    "tofu": (
        _P("豆腐干", "散装", "kg", 3, "other", "黄豆、凝固剂（氯化镁）", COLD, "GB 2712-2014",
           (("黄豆", "30"),), "45", 2),
    ),
    "sesame": (
        _P("芝麻糖", "散装", "kg", 180, "other", "黑芝麻、麦芽糖、白砂糖", DRY, "GB 17399-2016",
           (("黑芝麻", "15"), ("麦芽糖", "10"), ("白砂糖", "5")), "28", 6),
    ),
    "ricecandy": (
        _P("米花糖", "散装", "kg", 180, "other", "糯米、麦芽糖、花生仁", DRY, "GB 17399-2016",
           (("糯米", "15"), ("麦芽糖", "10"), ("花生仁", "5")), "28", 6),
    ),
    "farm": (
        _P("鲜香菇", "散装", "kg", 7, "vegetable", "香菇", COLD, "GB 7096-2014",
           (("香菇菌棒", "700"),), "320", 3),
    ),
}

# What a self-test measures, by category: (item, result range, limit, unit).
SELF_TEST_ITEMS = {
    "aquatic": ("水分", (18, 24), "≤ 25", "%"),
    "pastry": ("菌落总数", (800, 4000), "≤ 10⁵", "CFU/g"),
    "grain": ("菌落总数", (500, 3000), "≤ 10⁵", "CFU/g"),
    "noodles": ("铝的残留量", (20, 90), "≤ 200", "mg/kg"),
    "vegetable": ("亚硝酸盐", (2, 9), "≤ 20", "mg/kg"),
    "other": ("菌落总数", (300, 2000), "≤ 10⁵", "CFU/g"),
}
