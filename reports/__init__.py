"""Offline HTML reports rendered only from audit result documents (see docs/result-document.md)."""
