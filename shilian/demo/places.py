"""Demo jurisdictions: Zhejiang → Taizhou → Wenling and its towns, plus Linhai.

Province, city and county codes are the real GB/T 2260 codes. The towns and
subdistricts are Wenling's real ones, but the three-digit suffixes of their 9-digit
township codes (331081xxx) were assigned for the demo and are illustrative: they do
not claim to be the official township codes. The same holds for Linhai's 古城街道.
The road names used in addresses are illustrative too.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE = "330000"
CITY = "331000"
WENLING = "331081"
LINHAI = "331082"


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    name_en: str
    road: str  # a road for demo addresses
    short: str  # pinyin initials, used in operator user names


COUNTIES = [
    (PROVINCE, "浙江省", "Zhejiang"),
    (CITY, "台州市", "Taizhou"),
    (WENLING, "温岭市", "Wenling"),
    (LINHAI, "临海市", "Linhai"),
]

TOWNS = [
    Town("331081001", "太平街道", "Taiping Subdistrict", "万昌中路", "tp"),
    Town("331081002", "城东街道", "Chengdong Subdistrict", "东辉路", "cd"),
    Town("331081003", "城西街道", "Chengxi Subdistrict", "西门路", "cx"),
    Town("331081004", "城北街道", "Chengbei Subdistrict", "北山路", "cb"),
    Town("331081005", "横峰街道", "Hengfeng Subdistrict", "横峰大道", "hf"),
    Town("331081101", "松门镇", "Songmen Town", "渔港路", "sm"),
    Town("331081102", "石塘镇", "Shitang Town", "海滨路", "st"),
    Town("331081103", "箬横镇", "Ruoheng Town", "箬横中路", "rh"),
    Town("331081104", "泽国镇", "Zeguo Town", "文昌路", "zg"),
    Town("331081105", "大溪镇", "Daxi Town", "大溪大道", "dx"),
    Town("331081106", "新河镇", "Xinhe Town", "长屿路", "xh"),
    Town("331081107", "滨海镇", "Binhai Town", "滨海大道", "bh"),
    Town("331081108", "温峤镇", "Wenqiao Town", "温峤街", "wq"),
    Town("331081109", "城南镇", "Chengnan Town", "城南大道", "cn"),
    Town("331081110", "石桥头镇", "Shiqiaotou Town", "石桥路", "sqt"),
    Town("331081111", "坞根镇", "Wugen Town", "坞根街", "wg"),
    Town("331082001", "古城街道", "Gucheng Subdistrict (Linhai)", "紫阳街", "lh"),
]

TOWN_BY_NAME = {town.name: town for town in TOWNS}
SHITANG = TOWN_BY_NAME["石塘镇"].code


def address(town: Town, number: int) -> str:
    county = "临海市" if town.code.startswith(LINHAI) else "温岭市"
    return f"浙江省台州市{county}{town.name}{town.road}{number}号"
