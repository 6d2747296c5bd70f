"""The CMS family profiles, most specific first, the generic fallback last. Kept apart from
:mod:`crawler.profiles.registry` (which chooses among them and wraps a site's profile) so that
:mod:`crawler.profiles.site` can name the known families without importing the registry."""
from __future__ import annotations

from crawler.profiles.base import Profile
from crawler.profiles.generic import GenericProfile
from crawler.profiles.gongkai import GongkaiProfile
from crawler.profiles.hanweb import HanwebProfile
from crawler.profiles.gkmlpt import GkmlptProfile
from crawler.profiles.govcn import GovcnProfile
from crawler.profiles.trs import TrsProfile

#: family profiles, most specific first (gov.cn before gkmlpt: a gov.cn page of a Guangdong
#: portal links the gkmlpt section); the generic fallback last
PROFILES: list[type[Profile]] = [HanwebProfile, TrsProfile, GongkaiProfile, GovcnProfile, GkmlptProfile,
                                 GenericProfile]
#: former family name -> the families it stands for, the default first (``jsonfirst``: gkmlpt and
#: gov.cn shared one module under that name; it now picks the one the page shows)
ALIASES: dict[str, tuple[str, ...]] = {"jsonfirst": ("gkmlpt", "govcn")}


def family_names() -> list[str]:
    """Every name a user may give as a family (``--family``, a site profile's ``family``): the
    families, then the aliases."""
    return [c.family for c in PROFILES] + list(ALIASES)
