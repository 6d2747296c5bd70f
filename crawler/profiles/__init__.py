"""Page objects ("profiles"), one per CMS family: they turn ``(url, html)`` into the typed
items of :mod:`crawler.items` and never fetch. :mod:`~crawler.profiles.extract` holds the
shared helpers, :mod:`~crawler.profiles.generic` the fallback for unknown layouts and
:mod:`~crawler.profiles.registry` the choice of a profile for a site."""
