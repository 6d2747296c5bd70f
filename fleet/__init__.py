"""Fleet operations: the sites file, nightly runs over many portals, incremental crawling,
recheck of open findings (``docs/operations.md``)."""
