"""``govaudit demo`` and ``serve-testbed``: the simulated portals of ``testbed/`` served on
127.0.0.1, audited (demo) or left running (serve-testbed). The only part of govaudit that
imports the testbed."""
from __future__ import annotations

from pathlib import Path
from typing import IO

from govaudit.api import ApiError, RunResult, _say, check, check_out_folder


def styles() -> list[str]:
    """The testbed styles a demo can serve."""
    from testbed.styles import EXTRA_STYLES, STYLES

    return [*STYLES, *EXTRA_STYLES]


def demo_port(out: Path, asked: int | None) -> int:
    """The demo portal's port: ``asked``, else the one this output folder used last time
    (``.demo-port``), so that a second demo into the same folder is the same site (its
    findings 持续存在), else a free one (remembered)."""
    marker = out / ".demo-port"
    if asked is not None:
        return asked
    try:
        return int(marker.read_text("utf-8").strip())
    except (OSError, ValueError):
        return 0


def demo(*, style: str = "hanweb", seed: int = 1, port: int | None = None, out: str | Path = "govaudit-reports",
         as_of=None, sites_dir: str | None = None, log: IO[str] | None = None, **check_options) -> RunResult:
    """Serve a testbed portal on 127.0.0.1 and audit it like :func:`govaudit.api.check`
    (``check_options``); its answer key is written to ``out/answer-key.json``."""
    from testbed.corpus import AS_OF
    from testbed.server import Testbed, make_style

    check_out_folder(out)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    portal = make_style(style, seed=seed)
    chosen = demo_port(folder, port)
    try:
        tb = Testbed(portal, port=chosen)
    except OSError as exc:
        if port is not None:
            raise ApiError(f"--port {chosen}: cannot listen there ({exc.strerror or exc})") from None
        tb = Testbed(portal)     # the remembered port is taken now: any free one
    (folder / ".demo-port").write_text(str(tb.httpd.server_address[1]), "utf-8")
    with tb:
        _say(log)(f"demo portal ({style}) serving at {tb.url}")
        tb.write_answer_key(folder / "answer-key.json")
        if style == "bespoke" and not sites_dir:
            # a portal only a site profile reads: its profile, written for this port
            from data import site_profile_path
            from testbed.bespoke import PROFILE

            sites_dir = str(folder / "sites")
            Path(sites_dir).mkdir(exist_ok=True)
            site_profile_path(tb.url, Path(sites_dir)).write_text(PROFILE, "utf-8")
        return check([tb.url], out=out, as_of=as_of or AS_OF, sites_dir=sites_dir, command="demo",
                     log=log, **check_options)


def serve_testbed(*, style: str = "hanweb", seed: int = 1, port: int = 0, scale: float | None = None,
                  answer_key: str | Path | None = None):
    """Start a simulated portal (a started :class:`testbed.server.Testbed`: ``.url``,
    ``.stop()``); its answer key is written to ``answer_key`` when given."""
    from testbed.server import Testbed, make_style

    tb = Testbed(make_style(style, seed=seed, **({"scale": scale} if scale else {})), port=port)
    if answer_key:
        tb.write_answer_key(Path(answer_key))
    return tb.start()
