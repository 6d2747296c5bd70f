"""The seeded portal generator (issue 9): ``make_style("generated", seed=N, scale=S)``.

Each layout axis (``AXES``) is drawn from the seed on its own; the shapes follow real portals
(``AXES_DOC``). See ``testbed.generated`` for the parts.

    python -m testbed.generator --layout 17          # the layout of seed 17
    python -m testbed.generator --report 1-200       # serve, crawl and score seeds; per-axis table
"""
from __future__ import annotations

from testbed.generated.layout import AXES, AXES_DOC, axis_value, build_truth, draw_layout
from testbed.generated.style import GeneratedStyle

__all__ = ["AXES", "AXES_DOC", "GeneratedStyle", "axis_value", "build_truth", "draw_layout"]


if __name__ == "__main__":
    from testbed.generated.report import main

    raise SystemExit(main())
