"""Portal styles, one per CMS family. ``STYLES`` maps a style name to "module:Class";
:func:`style_class` imports lazily so one style's import error does not break the others."""
from __future__ import annotations

import importlib

STYLES = {
    "hanweb": "testbed.styles.hanweb:HanwebStyle",        # S1 大汉 JCMS
    "trs": "testbed.styles.trs:TrsStyle",                 # S2 拓尔思 static, GBK
    "gongkai": "testbed.styles.gongkai:GongkaiStyle",     # S3 山东 /gongkai/ platform
    "jsonfirst": "testbed.styles.jsonfirst:JsonFirstStyle",  # S4 gov.cn / gkmlpt
}
#: portals served on request but not one of the families the tests walk: the bespoke portal
#: only a site profile reads (``testbed.bespoke``), and the seeded portal generator
EXTRA_STYLES = {"bespoke": "testbed.bespoke:BespokeStyle",
                #: a portal whose layout is drawn from the seed, axis by axis (testbed.generated)
                "generated": "testbed.generator:GeneratedStyle"}


def style_class(name: str):
    try:
        module, cls = {**STYLES, **EXTRA_STYLES}[name].split(":")
    except KeyError:
        raise KeyError(f"unknown testbed style {name!r}; known: {', '.join([*STYLES, *EXTRA_STYLES])}") from None
    return getattr(importlib.import_module(module), cls)
