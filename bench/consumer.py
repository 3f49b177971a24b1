"""Consumer page throughput and p99 latency under wrk, next to nginx serving a static copy.

Cases, all in the same run and interleaved round by round (ratios are taken within a round):

- ``nginx-static``: nginx (2 workers) serving one static copy of the page for every path: the
  ceiling and the reference for every ratio.
- ``production``: the production front (``deploy/nginx/shilian.conf``, 2 workers) in front of
  the embedded app: lot pages pre-rendered by ``shilian prerender`` and served as files, scans
  written to nginx's scan log (ingested and counted after the run).
- ``embedded``: granian WSGI, 2 workers, as ``shilian serve`` runs it, with the scan front door
  (``shilian.config.wsgi``): app-level cache hits (locmem per worker).
- ``embedded-django``: the same without the front door (``shilian.scan.wsgi:django_application``): a
  cache hit through Django's request cycle and the resolver view. For reference.
- ``uncached``: every request renders the page (the page cache is Django's DummyCache) through
  the front door and the resolver view: version, three statements, the template.
- ``minimal``: in the same server, a Django view that fetches one lot with the ORM and renders
  a template of the same size as the consumer page (the reference for the uncached goal).

Every request carries one of 4,096 ``X-Real-IP`` addresses (trusted from loopback), so the
per-client rate limit is exercised as with real clients and no client goes over it. Lots are
picked at random among ``--lots``. Before timing, each case's answer is checked (status and
bytes against the pre-rendered file).

Goals (issue 3): production ≥ 60 % of nginx-static, embedded ≥ 10 %, uncached ≥ half of minimal.

    .venv/bin/python bench/consumer.py --quick          # a few seconds per case
    .venv/bin/python bench/consumer.py --rounds 3       # the real run (~6 min)

Data: a throwaway SQLite database in ``bench/out/consumer/`` (``--lots`` lots made with
``record_batch`` from two received inputs with certificates; every third lot tested, one
recalled). Output: a table and ``bench/out/consumer.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
WORK = OUT / "consumer"
BIN = Path(sys.executable).parent
CLIENTS = 4096
UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
CASES = ("nginx-static", "production", "embedded", "embedded-django", "uncached", "minimal")
GOALS = {"production": 0.60, "embedded": 0.10}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lots", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="3 s per case after 1 s of warm-up, one round")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of wrk per case")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--conns", type=int, default=64)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--out", type=Path, default=OUT / "consumer.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.rounds = 3.0, 1.0, 1
    return args


def log(message: str) -> None:
    print(f"[consumer] {message}", file=sys.stderr, flush=True)


# --- the throwaway database -------------------------------------------------------------


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shilian.config.settings.base",
            "SHILIAN_DATA_DIR": str(WORK),
            "DATABASE_URL": f"sqlite:///{WORK / 'consumer.sqlite3'}",
            "SHILIAN_SECRET_KEY": env.get("SHILIAN_SECRET_KEY", "bench-only-not-secret"),
            "SHILIAN_DEBUG": "0",
            "SHILIAN_LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def build(lots: int) -> dict[str, Any]:
    """Migrate a fresh database, record the lots, pre-render their pages. Runs in this process."""
    import django  # noqa: PLC0415 - the settings come from environment()
    from django.core.management import call_command  # noqa: PLC0415

    django.setup()
    from django.utils import timezone  # noqa: PLC0415

    from shilian.chain.actions import InputSpec, OutputSpec, TransformOp, record_batch, record_inspection, start_recall  # noqa: PLC0415
    from shilian.chain.models import Lot  # noqa: PLC0415
    from shilian.core.testing import factories as f  # noqa: PLC0415
    from shilian.scan.prerender import Prerenderer, page_file, pages_root  # noqa: PLC0415
    from shilian.scan.tests.factories import certificate  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    workshop = f.make_enterprise(name="石塘年糕作坊")
    user = f.make_operator(workshop)
    product = f.make_product(
        workshop, name="年糕", specification="500克", gtin="06901234567892", ingredients="大米、水、食盐",
        standard="GB 2713", storage="冷藏 0–4℃", shelf_life_days=30,
    )
    rice = f.receive(workshop, product_name="大米", lot_code="DM2024", quantity=str(lots * 2),
                     supplier=f.make_partner(workshop, name="温岭粮油批发"), attachments=[certificate("QC-0917")])
    salt = f.receive(workshop, product_name="食盐", lot_code="YAN1", quantity=str(lots),
                     supplier=f.make_partner(workshop, name="盐业公司"), attachments=[certificate("SALT-7")])
    started = timezone.now()
    ops = [
        TransformOp(
            occurred_at=started,
            inputs=[InputSpec(rice, "1", "kg"), InputSpec(salt, "0.1", "kg")],
            outputs=[OutputSpec(product, "2", "kg", lot_code=f"NG{n:05d}")],
        )
        for n in range(lots)
    ]
    record_batch(workshop, ops, acting_user=user)
    made = list(Lot.objects.filter(product=product).order_by("pk"))
    for n, lot in enumerate(made):
        if n % 3 == 0:
            record_inspection(lot, kind="official" if n % 2 else "self", passed=True, occurred_at=timezone.now(),
                              acting_user=user, lab="温岭市检测中心", report_no=f"WL-{n:05d}")
    start_recall(made[-1], reason="抽检不合格：菌落总数超标", acting_user=f.make_inspector())
    pages = pages_root()
    shutil.rmtree(pages, ignore_errors=True)
    Prerenderer(pages).full_pass()
    paths = [f"/01/{product.gtin}/10/{lot.code}" for lot in made]
    sample = page_file(pages, "zh-hans", paths[0])
    assert sample is not None
    body = sample.read_bytes()
    return {"paths": paths, "pks": [lot.pk for lot in made], "pages": str(pages), "sample": body,
            "fillers": fillers_for(len(body), made[0])}


# --- servers ------------------------------------------------------------------------------


def granian(port: int, target: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "2", "--log-level", "error", target]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def serving(process: subprocess.Popen[bytes], port: int) -> Iterator[subprocess.Popen[bytes]]:
    from shilian.scan.tests.nginx import wait_for_port  # noqa: PLC0415

    try:
        wait_for_port(port, timeout=30)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants, from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


# --- wrk ------------------------------------------------------------------------------------


def wrk_script(name: str, paths: list[str]) -> Path:
    """Random lots, one of CLIENTS client addresses per request, requests prepared once."""
    rng = random.Random(7)
    lines = ["local reqs = {}", "local n = 0", "local i = 0", "init = function(args)"]
    for k in range(CLIENTS * 4):
        path = rng.choice(paths)
        client = k % CLIENTS
        address = f"10.{client // 256}.{client % 256}.{rng.randrange(1, 255)}"
        lines.append(
            f'  reqs[{k + 1}] = wrk.format("GET", "{path}", {{["X-Real-IP"] = "{address}", '
            f'["User-Agent"] = "{UA}", ["Accept-Language"] = "zh-CN,zh;q=0.9"}})'
        )
    lines += [f"  n = {CLIENTS * 4}", "end", "request = function()", "  i = i % n + 1", "  return reqs[i]", "end"]
    script = WORK / f"wrk-{name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(port: int, script: Path, seconds: float, conns: int, pid: int | None) -> dict[str, float]:
    cpu_before = tree_cpu(pid) if pid else 0.0
    result = subprocess.run(
        ["wrk", "-t1", f"-c{conns}", f"-d{seconds:g}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True,
    )
    cpu = tree_cpu(pid) - cpu_before if pid else float("nan")
    text = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    p50 = re.search(r"\s50%\s+(\S+)", text)
    p99 = re.search(r"\s99%\s+(\S+)", text)
    return {
        "rps": rps,
        "requests": total,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "p50_ms": _ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": _ms(p99.group(1)) if p99 else float("nan"),
        "cpu_us_per_req": cpu / total * 1e6 if total and pid else float("nan"),
    }


def fetch(port: int, path: str) -> tuple[int, bytes]:
    import urllib.error  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"User-Agent": UA, "X-Real-IP": "10.255.0.1"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- the bench application (uncached + minimal), imported by granian ---------------------------


def _bench_application() -> Any:
    """Base settings, with the page cache off and the minimal view routed; then the front door."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shilian.config.settings.base")
    from django.conf import settings  # noqa: PLC0415

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "scan": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    settings.ROOT_URLCONF = "bench.consumer"
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415

    django_app = get_wsgi_application()
    from shilian.scan.frontdoor import front_door  # noqa: PLC0415

    return front_door(django_app)


FILLER = "<p>食品安全追溯 food traceability</p>\n"


def minimal_template_source(fillers: int) -> str:
    """A page from one lot: the consumer page's CSS, 40 variables, ``fillers`` static lines."""
    fields = ["product_name", "code", "unit", "origin", "status", "test_status", "quantity_on_hand", "quantity_in"]
    body = ['<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{{ lot.product_name }}</title>',
            '<style>{% include "scan/_page.css" %}</style></head><body><main>']
    for n in range(5):
        body.extend(f"<p>{name} {n}: {{{{ lot.{name} }}}}</p>" for name in fields)
    return "\n".join(body) + FILLER * fillers + "</main></body></html>"


def fillers_for(size: int, lot: Any) -> int:
    """How many filler lines make the minimal page as big as the consumer page."""
    from django.template import engines  # noqa: PLC0415

    bare = len(engines["django"].from_string(minimal_template_source(0)).render({"lot": lot}).encode())
    return max(0, round((size - bare) / len(FILLER.encode())))


def _minimal_view(request: Any, pk: int) -> Any:
    from django.http import HttpResponse  # noqa: PLC0415

    from shilian.chain.models import Lot  # noqa: PLC0415

    global _TEMPLATE
    if _TEMPLATE is None:
        from django.template import engines  # noqa: PLC0415

        _TEMPLATE = engines["django"].from_string(minimal_template_source(int(os.environ["SHILIAN_BENCH_FILLERS"])))
    lot = Lot.objects.get(pk=pk)
    return HttpResponse(_TEMPLATE.render({"lot": lot}))


_TEMPLATE: Any = None


def __getattr__(name: str) -> Any:
    """``application`` for granian, ``urlpatterns`` for Django: built on first use only."""
    if name == "application":
        return _bench_application()
    if name == "urlpatterns":
        from django.urls import include, path  # noqa: PLC0415

        return [path("bench/minimal/<int:pk>", _minimal_view), path("", include("shilian.config.urls"))]
    raise AttributeError(name)


# --- the run ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = [c for c in args.cases.split(",") if c]
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = environment()
    os.environ.update(env)
    log(f"building {args.lots} lots in {WORK}")
    data = build(args.lots)
    from django.db import connections  # noqa: PLC0415

    from shilian.scan.ingest import ingest  # noqa: PLC0415
    from shilian.scan.tests.nginx import NGINX, free_port, running_nginx  # noqa: PLC0415

    connections.close_all()
    env["SHILIAN_BENCH_FILLERS"] = str(data["fillers"])
    static_dir = WORK / "static-copy"
    static_dir.mkdir()
    (static_dir / "page.html").write_bytes(data["sample"])
    page_script = wrk_script("pages", data["paths"])
    minimal_script = wrk_script("minimal", [f"/bench/minimal/{pk}" for pk in data["pks"]])
    ports = {name: free_port() for name in ("static", "front", "embedded", "django", "bench")}
    scan_log = WORK / "nginx" / "scans.log"
    results: dict[str, list[dict[str, float]]] = {case: [] for case in cases}

    embedded = granian(ports["embedded"], "shilian.config.wsgi:application", env)  # what `shilian serve` runs
    plain = granian(ports["django"], "shilian.scan.wsgi:django_application", env)  # Django without the front door
    bench_app = granian(ports["bench"], "bench.consumer:application", env)
    with serving(embedded, ports["embedded"]), serving(plain, ports["django"]), serving(bench_app, ports["bench"]), \
            running_nginx(WORK / "nginx-static", port=ports["static"], workers=2, static_only=static_dir) as static_nginx, \
            running_nginx(WORK / "nginx", port=ports["front"], app=f"127.0.0.1:{ports['embedded']}", workers=2,
                          pages=Path(data["pages"]), scan_log=scan_log) as front_nginx:
        targets = {
            "nginx-static": (ports["static"], page_script, static_nginx.pid),
            "production": (ports["front"], page_script, front_nginx.pid),
            "embedded": (ports["embedded"], page_script, embedded.pid),
            "embedded-django": (ports["django"], page_script, plain.pid),
            "uncached": (ports["bench"], page_script, bench_app.pid),
            "minimal": (ports["bench"], minimal_script, bench_app.pid),
        }
        check(targets, data)
        for round_no in range(1, args.rounds + 1):
            order = ["nginx-static", *[c for c in cases if c != "nginx-static"], "nginx-static"]
            for case in order:
                if case not in cases and case != "nginx-static":
                    continue
                port, script, pid = targets[case]
                run_wrk(port, script, args.warmup, args.conns, None)
                figures = run_wrk(port, script, args.duration, args.conns, pid)
                figures["round"] = round_no
                results.setdefault(case, []).append(figures)
                log(f"round {round_no} {case}: {figures['rps']:,.0f} req/s, p99 {figures['p99_ms']:.1f} ms, "
                    f"{figures['cpu_us_per_req']:.0f} µs CPU/req, non-2xx {figures['non_2xx']}")
    import django  # noqa: PLC0415

    django.db.connections.close_all()
    started = time.monotonic()
    ingested = ingest(scan_log)
    log(f"ingested {ingested:,} scans from nginx's log in {time.monotonic() - started:.1f} s")
    report = summarise(results, args, ingested, len(data["sample"]), NGINX)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "results": results, **report},
                                   indent=2, ensure_ascii=False))
    return 0 if report["goals_met"] else 1


def check(targets: dict[str, tuple[int, Path, int]], data: dict[str, Any]) -> None:
    """Every case answers the page (the same bytes as the pre-rendered file) before it is timed."""
    path = data["paths"][0]
    for case in ("production", "embedded", "embedded-django", "uncached"):
        port = targets[case][0]
        for _ in range(2):  # the second answer is the cached one
            status, body = fetch(port, path)
            assert (status, body == data["sample"]) == (200, True), f"{case} answered {status}"
    status, body = fetch(targets["nginx-static"][0], path)
    assert (status, body) == (200, data["sample"])
    status, body = fetch(targets["minimal"][0], f"/bench/minimal/{data['pks'][0]}")
    assert status == 200, status
    log(f"page {len(data['sample'])} B, minimal page {len(body)} B: answers checked")


def summarise(results: dict[str, list[dict[str, float]]], args: argparse.Namespace, ingested: int,
              page_bytes: int, nginx: str) -> dict[str, Any]:
    statics = results["nginx-static"]
    rows = {}
    for case, runs in results.items():
        ratios = []
        for run in runs:
            same_round = [s["rps"] for s in statics if s["round"] == run["round"]]
            ratios.append(run["rps"] / statistics.mean(same_round))
        rows[case] = {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "cpu_us_per_req": statistics.median(r["cpu_us_per_req"] for r in runs),
            "of_nginx": statistics.median(ratios),
            "non_2xx": sum(int(r["non_2xx"]) for r in runs),
        }
    verdicts = {}
    for case, goal in GOALS.items():
        if case in rows:
            verdicts[case] = (rows[case]["of_nginx"], goal, rows[case]["of_nginx"] >= goal)
    if "uncached" in rows and "minimal" in rows:
        ratio = rows["uncached"]["rps"] / rows["minimal"]["rps"]
        verdicts["uncached/minimal"] = (ratio, 0.5, ratio >= 0.5)
    print(f"\nconsumer page {page_bytes} B, {args.lots} lots, wrk -t1 -c{args.conns} {args.duration:g} s × "
          f"{args.rounds} round(s), nginx {nginx}\n")
    print(f"{'case':<16}{'req/s':>10}{'% nginx':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/req':>12}{'non-2xx':>9}")
    for case, row in rows.items():
        print(f"{case:<16}{row['rps']:>10,.0f}{row['of_nginx']:>9.1%}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
              f"{row['cpu_us_per_req']:>12.0f}{row['non_2xx']:>9}")
    print()
    for name, (value, goal, met) in verdicts.items():
        print(f"goal {name}: {value:.1%} (≥ {goal:.0%}) {'met' if met else 'NOT MET'}")
    production = results.get("production", [])
    served = sum(int(r["requests"]) for r in production)
    print(f"scan log: {ingested:,} scans ingested from nginx's log for the production case's {served:,} timed "
          "requests (warm-ups included in the log)")
    return {"summary": rows, "goals": {k: list(v) for k, v in verdicts.items()},
            "goals_met": all(v[2] for v in verdicts.values()), "ingested": ingested}


if __name__ == "__main__":
    sys.exit(main())
