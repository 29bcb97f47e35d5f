"""Wheel smoke run: build the wheel, install it into a fresh venv outside the checkout, use it.

Run by `make smoke-wheel` (part of `make test`); not a pytest module. It proves that what pip
installs is complete: templates, static files, comms plans and locale files ship in the wheel.
From a temporary directory outside the checkout it runs `init --demo`, `export DIR`,
`plan example` + `plan validate`, then `serve`, and checks that the public URLs answer 200 with
real content. Any failure exits 1 with one clear line; every check passed is printed.

    python tests/smoke/wheel_smoke.py [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[2]
DEMO_NAME = "Acme Cloud"  # statuspage.cli.server.DEMO_NAME
DEMO_COMPONENTS = ("API", "Primary Database", "Card Processing")
# Copied to build the wheel: the sources, never the checkout's venv, caches or old builds.
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.db*"
)
START_TIMEOUT = 30.0


class SmokeFailure(Exception):
    """One check failed; the message says which and what was seen."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


STARTED = time.monotonic()


def ok(message: str) -> None:
    print(f"  ok [{time.monotonic() - STARTED:4.0f} s]: {message}", flush=True)


def run(args: list[str | Path], cwd: Path, env: dict[str, str], what: str) -> str:
    """Run a command; its stdout, or SmokeFailure with its output when it fails."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-3000:]
        raise SmokeFailure(f"{what} exited {done.returncode}:\n{output}")
    return done.stdout


def build_wheel(tmp: Path, env: dict[str, str]) -> Path:
    source = tmp / "src"
    shutil.copytree(ROOT, source, ignore=SKIP)
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "wheel", "--no-deps", "--quiet", "-w", dist, source], tmp, env, "pip wheel")
    wheels = list(dist.glob("statuspage-*.whl"))
    check(len(wheels) == 1, f"expected one wheel in {dist}, found {wheels}")
    ok(f"built {wheels[0].name}")
    return wheels[0]


def install(wheel: Path, tmp: Path, env: dict[str, str]) -> Path:
    """A fresh venv with the wheel (and its dependencies) installed; its bin directory."""
    home = tmp / "venv"
    venv.create(home, with_pip=True)
    bin_dir = home / "bin"
    pip = [bin_dir / "python", "-m", "pip", "--disable-pip-version-check"]
    # --no-compile: byte-compiling every dependency (twilio is big) would double the time.
    run([*pip, "install", "--quiet", "--no-compile", wheel], tmp, env, "pip install of the wheel")
    where = run(
        [bin_dir / "python", "-c", "import statuspage; print(statuspage.__file__)"],
        tmp,
        env,
        "import statuspage",
    ).strip()
    check(
        Path(where).is_relative_to(home),
        f"statuspage was imported from {where}, not from the fresh venv {home}",
    )
    ok(f"installed into a fresh venv; statuspage imported from {where}")
    return bin_dir


def clean_env(tmp: Path) -> dict[str, str]:
    """The caller's environment without anything pointing into the checkout or its settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STATUSPAGE_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PWD")
    }
    env["HOME"] = env.get("HOME", str(tmp))
    # serve refuses weak keys; the subscription pages need one to be offered at all.
    env["STATUSPAGE_SECRET_KEY"] = secrets.token_urlsafe(32)
    return env


def init_and_export(cli: Path, work: Path, env: dict[str, str]) -> None:
    out = run([cli, "--db", "smoke.db", "init", "--demo"], work, env, "statuspage init --demo")
    check("Demo data loaded" in out, f"init --demo did not load the demo: {out!r}")
    ok("init --demo loaded the demo page")
    site = work / "site"
    out = run([cli, "--db", "smoke.db", "export", site], work, env, "statuspage export")
    check(out.startswith("Wrote "), f"export said {out!r}")
    index = (site / "index.html").read_text()
    for name in (DEMO_NAME, *DEMO_COMPONENTS):
        check(name in index, f"exported index.html lacks {name!r}")
    summary = json.loads((site / "api/v2/summary.json").read_text())
    check(summary["page"]["name"] == DEMO_NAME, "exported summary.json names another page")
    css = (site / "static/style.css").read_text()
    check(len(css) > 1000 and "{" in css, "exported static/style.css is not the stylesheet")
    for name in ("history.html", "history.rss", "feed.json", "404.html", "favicon.ico"):
        check((site / name).stat().st_size > 0, f"exported {name} is missing or empty")
    ok("export wrote index.html, summary.json, static/style.css, history, feeds, 404.html")


def shipped_plan(cli: Path, work: Path, env: dict[str, str]) -> None:
    text = run([cli, "plan", "example"], work, env, "statuspage plan example")
    check(text.startswith("#") and "severities:" in text, "plan example printed no plan")
    (work / "my-plan.yaml").write_text(text)
    out = run([cli, "plan", "validate", "my-plan.yaml"], work, env, "plan validate")
    check("OK" in out, f"the shipped plan, copied out, does not validate: {out!r}")
    ok("plan example printed the default plan; a copy of it validates")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(url: str) -> tuple[int, str, str]:
    """Status, content type and body of a GET (an HTTP error status is returned, not raised)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            return response.status, response.headers.get("content-type", ""), body
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read().decode(errors="replace")


def wait_until_up(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SmokeFailure(f"serve exited {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if get(base + "/api/v2/status.json")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SmokeFailure(f"serve did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text()}")


def check_page(body: str) -> None:
    for name in (DEMO_NAME, *DEMO_COMPONENTS):
        check(name in body, f"/ lacks {name!r}")


def check_history(body: str) -> None:
    check(DEMO_NAME in body and "Elevated API error rates" in body, "/history lacks the incidents")


def check_summary(body: str) -> None:
    summary = json.loads(body)
    check(summary["page"]["name"] == DEMO_NAME, f"summary.json page is {summary['page']!r}")
    names = {c["name"] for c in summary["components"]}
    check(set(DEMO_COMPONENTS) <= names, f"summary.json components are {sorted(names)}")


def check_rss(body: str) -> None:
    root = ElementTree.fromstring(body)
    check(root.tag == "rss", f"history.rss root is <{root.tag}>")
    check(len(root.findall("./channel/item")) > 0, "history.rss has no items")


def check_json_feed(body: str) -> None:
    feed = json.loads(body)
    check(str(feed.get("version", "")).startswith("https://jsonfeed.org/version/"), "no version")
    check(DEMO_NAME in feed["title"] and feed["items"], "feed.json has no title or items")


def check_css(body: str) -> None:
    check(len(body) > 1000 and "{" in body, "/static/style.css is not the stylesheet")


CHECKS: dict[str, tuple[str, Callable[[str], None]]] = {
    "/": ("text/html", check_page),
    "/history": ("text/html", check_history),
    "/api/v2/summary.json": ("application/json", check_summary),
    "/history.rss": ("xml", check_rss),
    "/feed.json": ("json", check_json_feed),
    "/static/style.css": ("text/css", check_css),
}


def serve_and_fetch(cli: Path, work: Path, env: dict[str, str]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(cli), "--db", "smoke.db", "serve", "--port", str(port)],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(server, base, log)
        ok(f"serve answered on {base}")
        for path, (kind, verify) in CHECKS.items():
            status, content_type, body = get(base + path)
            check(status == 200, f"GET {path} answered {status}: {body[:300]!r}")
            check(kind in content_type, f"GET {path} is {content_type!r}, expected {kind}")
            try:
                verify(body)
            except (ValueError, KeyError, TypeError, SyntaxError) as exc:
                raise SmokeFailure(f"GET {path}: {type(exc).__name__}: {exc}") from exc
            ok(f"GET {path} 200 {content_type}, {len(body)} characters of real content")
    finally:
        stop(server, log)


def stop(server: subprocess.Popen[bytes], log: Path) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        message = f"serve did not stop within 15 s of SIGTERM:\n{log.read_text()}"
        raise SmokeFailure(message) from None
    # uvicorn re-raises the signal once it has shut down, so -SIGTERM is a clean exit too.
    shown = log.read_text()
    check(code in (0, -signal.SIGTERM), f"serve exited {code} on SIGTERM:\n{shown[-3000:]}")
    check("Application shutdown complete" in shown, f"serve did not shut down:\n{shown[-3000:]}")
    ok(f"serve shut down cleanly on SIGTERM (exit {code})")


def smoke(tmp: Path) -> None:
    check(not tmp.is_relative_to(ROOT), f"the temporary directory {tmp} is inside the checkout")
    env = clean_env(tmp)
    wheel = build_wheel(tmp, env)
    bin_dir = install(wheel, tmp, env)
    work = tmp / "work"
    work.mkdir()
    cli = bin_dir / "statuspage"
    init_and_export(cli, work, env)
    serve_and_fetch(cli, work, env)
    shipped_plan(cli, work, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="statuspage-wheel-smoke-")).resolve()
    print(f"wheel smoke run in {tmp}", flush=True)
    try:
        smoke(tmp)
    except SmokeFailure as exc:
        print(f"wheel smoke run FAILED: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError) as exc:  # a file missing or unreadable
        print(f"wheel smoke run FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"wheel smoke run passed in {time.monotonic() - STARTED:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
