"""Coarse facts about the client that scanned a code, and nothing personal.

The same functions read a Django request's ``META``, a WSGI environ and a line of nginx's
scan log, so a scan counts the same whichever server answered it. The IP address is cut
to its network (/24 for IPv4, /48 for IPv6) before anything else sees it; with the
user-agent string it makes a keyed hash, the ``client`` key that counts distinct clients.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from shilian.core.ratelimit import client_ip

# Only a proxy on this machine may say who the client is (nginx's ``X-Real-IP``).

# Checked in order: the first marker found in the user-agent string names it.
_FAMILIES = (
    ("MicroMessenger", "WeChat"),
    ("AlipayClient", "Alipay"),
    ("DingTalk", "DingTalk"),
    ("HeadlessChrome", "Headless"),
    ("Edg/", "Edge"),
    ("UCBrowser", "UC"),
    ("QQBrowser", "QQ"),
    ("HuaweiBrowser", "Huawei"),
    ("MiuiBrowser", "Xiaomi"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("CriOS/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("wrk", "wrk"),
)
_BOTS = ("bot", "spider", "crawl", "slurp")
_PLATFORMS = (
    ("HarmonyOS", "HarmonyOS"),
    ("OpenHarmony", "HarmonyOS"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@dataclass(frozen=True)
class ClientInfo:
    """What the scan log keeps about a client."""

    ua_family: str
    platform: str
    language: str
    client: str


def ua_family(user_agent: str) -> str:
    lowered = user_agent.lower()
    if any(bot in lowered for bot in _BOTS):
        return "Bot"
    for marker, name in _FAMILIES:
        if marker in user_agent:
            return name
    return "Other" if user_agent else ""


def platform(user_agent: str) -> str:
    for marker, name in _PLATFORMS:
        if marker in user_agent:
            return name
    return "Other" if user_agent else ""


def primary_language(accept_language: str) -> str:
    """The primary subtag of the first language the client asks for (``zh``, ``en``)."""
    first = accept_language.split(",", 1)[0].split(";", 1)[0].strip()
    tag = first.split("-", 1)[0].lower()
    return tag[:8] if tag.isalpha() else ""


@functools.lru_cache(maxsize=8192)
def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address, or of a prefix nginx already cut.

    ``203.0.113.7`` and ``203.0.113.0`` give ``203.0.113.0``; ``2001:db8:85a3::1`` and
    nginx's ``2001:db8:85a3`` give ``2001:db8:85a3::``. Anything unreadable gives "".
    """
    text = address.strip()
    if not text:
        return ""
    for candidate in (text, text.rstrip(":") + "::"):
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        prefix = 24 if ip.version == 4 else 48
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
    return ""


def client_key(network: str, user_agent: str) -> str:
    """A keyed hash of network and user agent: counts distinct clients, names nobody."""
    message = f"{network}|{user_agent}".encode("utf-8", "replace")
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


@functools.lru_cache(maxsize=8192)
def _describe(network: str, user_agent: str, accept_language: str) -> ClientInfo:
    return ClientInfo(
        ua_family=ua_family(user_agent),
        platform=platform(user_agent),
        language=primary_language(accept_language),
        client=client_key(network, user_agent),
    )


def describe(*, network: str, user_agent: str, accept_language: str) -> ClientInfo:
    """The scan log's facts about a client (remembered: the same clients come back)."""
    return _describe(network, user_agent, accept_language)


def describe_request(meta: Mapping[str, Any]) -> ClientInfo:
    return describe(
        network=network_of(client_ip(meta)),
        user_agent=str(meta.get("HTTP_USER_AGENT") or "")[:500],
        accept_language=str(meta.get("HTTP_ACCEPT_LANGUAGE") or ""),
    )
