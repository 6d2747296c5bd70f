"""Choosing a profile: the site's profile (``data/sites``) over the first CMS family whose
fingerprint matches, else the generic one.

A family is one platform (one module under ``crawler/profiles``, listed in
:mod:`crawler.profiles.families`). Its ``ALIASES`` keep former
names working where users and stored data meet them (``--family``, a site profile's ``family``,
sites stored by earlier runs): ``jsonfirst`` named gkmlpt and gov.cn together and now stands
for whichever of the two the page's signals show (gkmlpt when neither does)."""
from __future__ import annotations

from crawler.profiles.base import Profile
from crawler.profiles.families import ALIASES, PROFILES, family_names
from crawler.profiles.generic import GenericProfile

__all__ = ["ALIASES", "PROFILES", "by_family", "canonical", "detect", "family_names", "resolve"]


def _profile_class(name: str) -> type[Profile]:
    for cls in PROFILES:
        if cls.family == name:
            return cls
    raise KeyError(f"unknown profile family {name!r}; known: {', '.join(family_names())}")


def canonical(name: str, url: str = "", html: str = "") -> str:
    """The family ``name`` stands for: itself, or for an alias the family :func:`detect` would
    pick among its own on this page (the alias's first family when none matches)."""
    members = ALIASES.get(name)
    if not members:
        return name
    return next((c.family for c in PROFILES if c.family in members and c.matches(url, html)), members[0])


def detect(url: str, html: str) -> Profile:
    """The profile of the first family whose :meth:`Profile.matches` is true, else generic."""
    for cls in PROFILES:
        if cls.matches(url, html):
            return cls()
    return GenericProfile()


def by_family(name: str, url: str = "", html: str = "") -> Profile:
    """The profile of family ``name`` (``Profile.family``, or an alias resolved on the page
    ``url``/``html`` when given); KeyError when unknown."""
    return _profile_class(canonical(name, url, html))()


def resolve(url: str, html: str, family: str | None = None, site_config=None) -> Profile:
    """The profile for a site from its home page: readers chosen per page
    (:class:`crawler.profiles.auto.AutoProfile`), hinted by ``family`` (forced by the caller) or
    the site profile's ``family`` or the family fingerprinted on the home page; wrapped in the
    site's profile when it has one (:class:`crawler.profiles.site.SiteProfile`)."""
    from crawler.profiles.auto import AutoProfile

    name = family or (site_config.family if site_config else None)
    if name:
        name = by_family(name, url, html).family     # an unknown family is refused here (KeyError)
    profile = AutoProfile(name or detect(url, html).family)
    if site_config is None:
        return profile
    from crawler.profiles.site import SiteProfile

    return SiteProfile(site_config, profile)
