"""The consumer page's production-room slot (生产间): an iframe the page loads lazily.

The consumer page is cached and pre-rendered per lot version and carries no script, so it
cannot say whether the room is live *now*, nor list recordings indexed after it was
rendered. Its slot is an ``<iframe loading="lazy">`` of ``/v/room/<token>/``
(``views.consumer``; the token is the lot's signed id: stable bytes per lot, no lot ids to
enumerate), a small page of its own that plays the live room during working hours
(hls.js, loaded only then), shows the still otherwise, and plays the recordings of "how
this lot was made".
"""

from __future__ import annotations

from html import escape

from django.core import signing
from django.urls import reverse

ROOM_SALT = "sunshine.room"

# 16:9 video plus a tab bar and a caption line, inside the page's 30rem column.
_FRAME_STYLE = "width:100%;border:0;display:block;height:calc(min(100vw - 3rem, 28.5rem) * .5625 + 7rem)"


def room_token(lot_id: int) -> str:
    """The lot's signed slot key (the same for every render of the lot's page)."""
    return signing.Signer(salt=ROOM_SALT).sign(str(int(lot_id)))


def lot_of_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=ROOM_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def room_slot(lot_id: int, heading: str, placeholder: str, *, lang: str = "zh-hans") -> str:
    """The slot's HTML for the consumer page (``heading`` and ``placeholder`` already escaped)."""
    src = reverse("sunshine:room", args=[room_token(lot_id)]) + ("?lang=en" if lang == "en" else "")
    return (
        f'<section id="room"><h2>{heading}</h2>'
        f'<iframe src="{escape(src)}" loading="lazy" title="{heading}" style="{_FRAME_STYLE}" '
        f'allow="autoplay; fullscreen">{placeholder}</iframe></section>\n'
    )
