"""The demo's enterprises, suppliers and customers, and their identifiers.

The 36 sunshine workshops (阳光作坊) are the kinds the Wenling page names — dried
seafood in 石塘 and 松门, pastries in 泽国, rice cakes in 新河, bean noodles in
several towns — plus the 新河 mushroom base, three distributors and four shops (one
in 临海, outside Wenling). Names and people are invented for the demo; a resemblance
to a real business is coincidental. Credit codes carry valid GB 32100 check characters
but are not registered codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shilian.core.identifiers import USCC_ALPHABET, gtin_check_digit, uscc_check_character
from shilian.demo.places import TOWN_BY_NAME, Town

WORKSHOP, FARM, DISTRIBUTOR, RETAILER = "workshop", "farm", "distributor", "retailer"


@dataclass(frozen=True)
class EnterpriseSpec:
    slug: str  # its operator is op_<slug>
    name: str
    kind: str
    town_name: str
    owner: str
    trade: str = ""  # products.TRADES key for producers

    @property
    def town(self) -> Town:
        return TOWN_BY_NAME[self.town_name]

    @property
    def username(self) -> str:
        return f"op_{self.slug}"


_W = EnterpriseSpec
WORKSHOPS = [
    _W("st1", "温岭市石塘阿海鳗鲞坊", WORKSHOP, "石塘镇", "陈海军", "fish"),
    _W("st2", "温岭市石塘陈记鱼干作坊", WORKSHOP, "石塘镇", "陈国华", "fish"),
    _W("st3", "温岭市石塘渔家鱼干加工坊", WORKSHOP, "石塘镇", "郭永福", "fish"),
    _W("st4", "温岭市石塘金氏虾干坊", WORKSHOP, "石塘镇", "金小燕", "shrimp"),
    _W("st5", "温岭市石塘里箬虾干作坊", WORKSHOP, "石塘镇", "江德明", "shrimp"),
    _W("st6", "温岭市石塘东海鱿鱼丝作坊", WORKSHOP, "石塘镇", "林建平", "squid"),
    _W("st7", "温岭市石塘海花紫菜坊", WORKSHOP, "石塘镇", "王海花", "seaweed"),
    _W("sm1", "温岭市松门老林鱼干坊", WORKSHOP, "松门镇", "林友才", "fish"),
    _W("sm2", "温岭市松门渔港鱼干作坊", WORKSHOP, "松门镇", "蔡志强", "fish"),
    _W("sm3", "温岭市松门江氏虾干坊", WORKSHOP, "松门镇", "江玲娟", "shrimp"),
    _W("sm4", "温岭市松门鱿鱼丝加工坊", WORKSHOP, "松门镇", "叶伟军", "squid"),
    _W("sm5", "温岭市松门鱼面作坊", WORKSHOP, "松门镇", "颜素芬", "fishnoodle"),
    _W("sm6", "温岭市松门海味虾干坊", WORKSHOP, "松门镇", "郑海波", "shrimp"),
    _W("bh1", "温岭市滨海紫菜加工坊", WORKSHOP, "滨海镇", "梁小红", "seaweed"),
    _W("zg1", "温岭市泽国阿婆麻糍坊", WORKSHOP, "泽国镇", "王秀英", "mochi"),
    _W("zg2", "温岭市泽国王记麻糍作坊", WORKSHOP, "泽国镇", "王建国", "mochi"),
    _W("zg3", "温岭市泽国老街松糕坊", WORKSHOP, "泽国镇", "张月仙", "songgao"),
    _W("zg4", "温岭市泽国林氏松糕作坊", WORKSHOP, "泽国镇", "林美玲", "songgao"),
    _W("zg5", "温岭市泽国月饼坊", WORKSHOP, "泽国镇", "潘志明", "mooncake"),
    _W("tp1", "温岭市太平番薯庆糕坊", WORKSHOP, "太平街道", "赵丽君", "qinggao"),
    _W("cd1", "温岭市城东梅干菜麦饼坊", WORKSHOP, "城东街道", "徐阿宝", "maibing"),
    _W("xh1", "温岭市新河老张年糕坊", WORKSHOP, "新河镇", "张德富", "niangao"),
    _W("xh2", "温岭市新河嵌糕作坊", WORKSHOP, "新河镇", "李桂英", "qiangao"),
    _W("xh3", "温岭市新河金记年糕坊", WORKSHOP, "新河镇", "金永康", "qiangao"),
    _W("xh4", "温岭市新河香菇制品坊", WORKSHOP, "新河镇", "叶春燕", "mushroom"),
    _W("rh1", "温岭市箬横年糕作坊", WORKSHOP, "箬横镇", "陈友根", "qiangao"),
    _W("rh2", "温岭市箬横梅干菜作坊", WORKSHOP, "箬横镇", "郭菊芬", "pickles"),
    _W("dx1", "温岭市大溪番薯粉丝坊", WORKSHOP, "大溪镇", "蔡国庆", "noodles"),
    _W("dx2", "温岭市大溪香菇干货坊", WORKSHOP, "大溪镇", "陈小芳", "mushroom"),
    _W("wq1", "温岭市温峤绿豆粉干坊", WORKSHOP, "温峤镇", "赵志刚", "mungbean"),
    _W("wg1", "温岭市坞根番薯粉丝作坊", WORKSHOP, "坞根镇", "叶金水", "noodles"),
    _W("cn1", "温岭市城南绿豆粉干坊", WORKSHOP, "城南镇", "潘玉兰", "mungbean"),
    _W("sqt1", "温岭市石桥头番薯粉丝坊", WORKSHOP, "石桥头镇", "林国平", "noodles"),
    _W("hf1", "温岭市横峰豆腐干作坊", WORKSHOP, "横峰街道", "王小平", "tofu"),
    _W("cb1", "温岭市城北芝麻糖坊", WORKSHOP, "城北街道", "徐素珍", "sesame"),
    _W("cx1", "温岭市城西米花糖坊", WORKSHOP, "城西街道", "李明华", "ricecandy"),
]

OTHERS = [
    _W("xgjd", "温岭市新河香菇基地", FARM, "新河镇", "叶国强", "farm"),
    _W("dh", "温岭市东辉食品批发部", DISTRIBUTOR, "城东街道", "蒋东辉"),
    _W("hzw", "温岭市海之味水产干货商行", DISTRIBUTOR, "石塘镇", "陈海燕"),
    _W("zgps", "温岭市泽国食品配送有限公司", DISTRIBUTOR, "泽国镇", "王志远"),
    _W("hm", "温岭市城西惠民超市", RETAILER, "城西街道", "周丽萍"),
    _W("bx", "温岭市新河百姓生活超市", RETAILER, "新河镇", "金伟"),
    _W("yg", "温岭市松门渔港特产店", RETAILER, "松门镇", "林小芬"),
    _W("lhgc", "临海市古城特产店", RETAILER, "古城街道", "朱建华"),
]

ENTERPRISES = WORKSHOPS + OTHERS

# The trade group of a producer decides where its goods go.
GROUP = {
    "fish": "seafood", "shrimp": "seafood", "squid": "seafood", "seaweed": "seafood", "fishnoodle": "seafood",
    "mochi": "pastry", "songgao": "pastry", "mooncake": "pastry", "qinggao": "pastry", "maibing": "pastry",
    "niangao": "rice", "qiangao": "rice",
    "noodles": "dry", "mungbean": "dry", "pickles": "dry", "tofu": "dry", "sesame": "dry", "ricecandy": "dry",
    "mushroom": "dry", "farm": "farm",
}

# On-platform customers (enterprise slug, weight), by trade group or by distributor.
OUTLETS = {
    "seafood": (("hzw", 5), ("dh", 2), ("yg", 2), ("lhgc", 1)),
    "pastry": (("zgps", 4), ("hm", 2), ("bx", 1)),
    "rice": (("zgps", 3), ("bx", 2), ("hm", 1)),
    "dry": (("dh", 4), ("hm", 2), ("lhgc", 2), ("bx", 1)),
    "farm": (("zgps", 2), ("bx", 1)),
    "hzw": (("yg", 2), ("hm", 1), ("lhgc", 2)),
    "dh": (("hm", 2), ("bx", 2), ("lhgc", 1)),
    "zgps": (("bx", 2), ("hm", 2)),
}

# Off-platform customers, by trade group or kind (a town's market stall is added for producers).
CUSTOMERS = {
    "seafood": ("温岭市石塘渔家乐饭店", "温岭海鲜干货网店"),
    "pastry": ("温岭市泽国喜宴酒家", "温岭市太平街道机关食堂"),
    "rice": ("温岭市新河镇中心小学食堂", "温岭市长屿硐天景区小吃店"),
    "dry": ("温岭市锦园宾馆餐饮部", "温岭土特产网店"),
    "farm": ("温岭市锦园宾馆餐饮部",),
    DISTRIBUTOR: ("温岭市海韵大酒店", "温岭市锦园宾馆餐饮部", "温岭市太平街道职工食堂"),
}


@dataclass(frozen=True)
class SupplierSpec:
    key: str
    name: str
    uscc_prefix: str  # 91 company, 93 cooperative
    division: str
    address: str


SUPPLIERS = {
    s.key: s
    for s in [
        SupplierSpec("flour", "台州金穗面粉有限公司", "91", "331002", "浙江省台州市椒江区粮库路8号"),
        SupplierSpec("salt", "台州市盐业有限公司", "91", "331002", "浙江省台州市椒江区盐仓路2号"),
        SupplierSpec("fish", "温岭市石塘水产批发市场", "91", "331081", "浙江省台州市温岭市石塘镇海滨路1号"),
        SupplierSpec("fish_sm", "温岭市松门水产批发市场", "91", "331081", "浙江省台州市温岭市松门镇渔港路1号"),
        SupplierSpec("grain", "温岭市粮油批发站", "91", "331081", "浙江省台州市温岭市太平街道粮站路6号"),
        SupplierSpec("sugar", "台州市糖酒副食品有限公司", "91", "331002", "浙江省台州市椒江区糖厂路3号"),
        SupplierSpec("starch", "温岭市大溪番薯专业合作社", "93", "331081", "浙江省台州市温岭市大溪镇大溪大道88号"),
        SupplierSpec("veg", "温岭市农副产品批发市场", "91", "331081", "浙江省台州市温岭市城北街道北山路20号"),
        SupplierSpec("meat", "温岭市肉类联合加工厂", "91", "331081", "浙江省台州市温岭市横峰街道横峰大道9号"),
        SupplierSpec("logs", "庆元县香菇菌棒厂", "91", "331126", "浙江省丽水市庆元县菇城路5号"),
    ]
}

# Lot-code stems of each supplier's own lot codes (their codes, kept as received).
LOT_STEMS = {"flour": "JS", "salt": "YY", "fish": "SC", "fish_sm": "SM", "grain": "LY", "sugar": "TJ",
             "starch": "DX", "veg": "NF", "meat": "RL", "logs": "QY"}


def supplier_key(material_supplier: str, town: Town) -> str:
    """Songmen's workshops buy fish at the Songmen market, everyone else at Shitang's."""
    if material_supplier == "fish" and town.short == "sm":
        return "fish_sm"
    return material_supplier


def uscc(prefix: str, division: str, serial: int) -> str:
    """A credit code with a valid check character: prefix, division, "MA" + 7 characters."""
    body = ""
    n = serial * 7919 + 104729
    for _ in range(7):
        n, r = divmod(n, len(USCC_ALPHABET))
        body = USCC_ALPHABET[r] + body
    first17 = f"{prefix}{division}MA{body}"
    return first17 + uscc_check_character(first17)


def enterprise_uscc(spec: EnterpriseSpec, index: int) -> str:
    prefix = {FARM: "93"}.get(spec.kind, "91" if spec.name.endswith("有限公司") else "92")
    return uscc(prefix, spec.town.code[:6], 1000 + index)


def licence_no(spec: EnterpriseSpec, index: int) -> str:
    """Workshops: a Wenling workshop registration (浙温食坊备); traders: a JY licence; farms: none."""
    if spec.kind == WORKSHOP:
        return f"浙温食坊备{2021 + index % 3}{index + 1:04d}号"
    if spec.kind == FARM:
        return ""
    return f"JY1{spec.town.code[:6]}{index + 1:06d}{index % 10}"


def gtin(index: int, item: int) -> str:
    """A GTIN-13 in the 693 range (China) with a valid check digit."""
    body = f"693{index + 1:04d}{item:05d}"
    return body + gtin_check_digit(body)


def phone(index: int) -> str:
    return f"0576-86{(index * 7349 + 2113) % 1000000:06d}"


SURNAMES = "陈林王张李郭江叶蔡潘徐赵金梁颜郑周朱蒋"
GIVEN = ("建军", "秀英", "海燕", "国平", "小红", "志明", "丽君", "德福", "春燕", "永康",
         "玲娟", "伟", "素芬", "金水", "月仙", "友才", "美玲", "阿宝", "菊芬", "明华")


@dataclass(frozen=True)
class StaffSpec:
    name: str
    post: str
    certificate_no: str
    expires: dt.date


def staff_for(spec: EnterpriseSpec, index: int, today: dt.date) -> list[StaffSpec]:
    """The owner and one or two food handlers, with health certificates.

    Most certificates run for months; workshops 4, 11 and 19 have one that expires within
    a month, and workshop 7 has one that expired nine days ago.
    """
    names = [spec.owner] + [
        SURNAMES[(index * 5 + k * 3) % len(SURNAMES)] + GIVEN[(index * 7 + k * 11) % len(GIVEN)]
        for k in range(1, 2 + index % 2)
    ]
    out = []
    for k, name in enumerate(names):
        days = 40 + (index * 53 + k * 97) % 300
        if k == 1 and index in (4, 11, 19):
            days = 6 + index
        if k == 1 and index == 7:
            days = -9
        out.append(
            StaffSpec(
                name=name,
                post="负责人" if k == 0 else "加工人员",
                certificate_no=f"浙健{spec.town.code[:6]}-{index + 1:03d}{k + 1:02d}",
                expires=today + dt.timedelta(days=days),
            )
        )
    return out
