"""The CJK font embedded in label PDFs (as a TrueType subset).

reportlab embeds TrueType outlines only: Noto CJK (CFF outlines) is refused with
"postscript outlines are not supported", so the search looks for WenQuanYi and other
TrueType CJK fonts. ``settings.SHILIAN_LABEL_FONT`` (a path, ``.ttc`` allowed) wins.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from shilian.codes.errors import CodesErrorCode
from shilian.core.errors import DomainError

FONT_NAME = "ShilianCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian/Ubuntu fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",  # Fedora, Arch
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)
INSTALL_HINT = "apt-get install fonts-wqy-zenhei"


def _no_font(message: str) -> DomainError:
    return DomainError(CodesErrorCode.NO_FONT, message, field="SHILIAN_LABEL_FONT")


def find_font_path() -> Path:
    """The configured font, else the first TrueType CJK font found in the usual places."""
    configured = str(getattr(settings, "SHILIAN_LABEL_FONT", "") or "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise _no_font(f"标签字体不存在：SHILIAN_LABEL_FONT={configured} / SHILIAN_LABEL_FONT={configured} is not a file")
        return path
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise _no_font(
        f"找不到中文TrueType字体：请安装（{INSTALL_HINT}）或把 SHILIAN_LABEL_FONT 设为 .ttf/.ttc 文件 / "
        "no TrueType CJK font found for labels: "
        f"install one ({INSTALL_HINT}) or set SHILIAN_LABEL_FONT to a .ttf/.ttc path "
        "(Noto CJK is CFF and cannot be embedded by reportlab)"
    )


@cache
def _register(path: str) -> str:
    try:
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    except (TTFError, OSError) as exc:
        raise _no_font(f"标签字体不可用：{path}（{exc}） / cannot use {path} for labels: {exc}") from None
    return FONT_NAME


def label_font() -> str:
    """Register the CJK font with reportlab once per process; its reportlab name."""
    return _register(str(find_font_path()))
