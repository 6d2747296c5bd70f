"""Choosing a profile: the first CMS family whose fingerprint matches, else the generic one."""
from __future__ import annotations

from crawler.profiles.base import Profile
from crawler.profiles.generic import GenericProfile
from crawler.profiles.gongkai import GongkaiProfile
from crawler.profiles.hanweb import HanwebProfile
from crawler.profiles.jsonfirst import JsonFirstProfile
from crawler.profiles.trs import TrsProfile

#: family profiles, most specific first; the generic fallback last
PROFILES: list[type[Profile]] = [HanwebProfile, TrsProfile, GongkaiProfile, JsonFirstProfile, GenericProfile]


def detect(url: str, html: str) -> Profile:
    """The profile of the first family whose :meth:`Profile.matches` is true, else generic."""
    for cls in PROFILES:
        if cls.matches(url, html):
            return cls()
    return GenericProfile()


def by_family(name: str) -> Profile:
    """The profile stored for a site (``Profile.family``); KeyError when unknown."""
    for cls in PROFILES:
        if cls.family == name:
            return cls()
    raise KeyError(f"unknown profile family {name!r}; known: {', '.join(c.family for c in PROFILES)}")
