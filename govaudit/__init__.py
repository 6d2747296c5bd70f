"""govaudit on top of its rooms: :mod:`govaudit.api` (one function per command, returning
results), :mod:`govaudit.cli` (the ``govaudit`` command line over it) and
:mod:`govaudit.demo` (the demo and ``serve-testbed``, which use the simulated portals of
``testbed/``). Nothing below this package imports it."""
