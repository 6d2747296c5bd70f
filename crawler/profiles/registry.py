"""Choosing a profile: the site's profile (``data/sites``) over the first CMS family whose
fingerprint matches, else the generic one."""
from __future__ import annotations

from crawler.profiles.base import Profile
from crawler.profiles.families import PROFILES, family_names
from crawler.profiles.generic import GenericProfile

__all__ = ["PROFILES", "by_family", "detect", "family_names", "resolve"]


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


def resolve(url: str, html: str, family: str | None = None, site_config=None) -> Profile:
    """The profile for a site from its home page: readers chosen per page
    (:class:`crawler.profiles.auto.AutoProfile`), hinted by ``family`` (forced by the caller) or
    the site profile's ``family`` or the family fingerprinted on the home page; wrapped in the
    site's profile when it has one (:class:`crawler.profiles.site.SiteProfile`)."""
    from crawler.profiles.auto import AutoProfile

    name = family or (site_config.family if site_config else None)
    if name:
        by_family(name)               # an unknown family is refused here (KeyError)
    profile = AutoProfile(name or detect(url, html).family)
    if site_config is None:
        return profile
    from crawler.profiles.site import SiteProfile

    return SiteProfile(site_config, profile)
