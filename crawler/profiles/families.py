"""The CMS family profiles, most specific first, the generic fallback last. Kept apart from
:mod:`crawler.profiles.registry` (which chooses among them and wraps a site's profile) so that
:mod:`crawler.profiles.site` can name the known families without importing the registry."""
from __future__ import annotations

from crawler.profiles.base import Profile
from crawler.profiles.generic import GenericProfile
from crawler.profiles.gongkai import GongkaiProfile
from crawler.profiles.hanweb import HanwebProfile
from crawler.profiles.jsonfirst import JsonFirstProfile
from crawler.profiles.trs import TrsProfile

#: family profiles, most specific first; the generic fallback last
PROFILES: list[type[Profile]] = [HanwebProfile, TrsProfile, GongkaiProfile, JsonFirstProfile, GenericProfile]


def family_names() -> list[str]:
    """Every name a user may give as a family (``--family``, a site profile's ``family``)."""
    return [c.family for c in PROFILES]
