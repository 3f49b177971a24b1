"""Running the real nginx with ``deploy/nginx/shilian.conf`` in a scratch directory.

For the tests and ``bench/consumer.py``: no root, no system paths; the master process
runs as the current user (when that is root, the workers do too, so they can read the
scratch directory).
"""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = os.environ.get("SHILIAN_NGINX", "/usr/sbin/nginx")
CONF = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "shilian.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port}")


def render_site(*, listen: str, app: str, pages: Path, static: Path, scan_log: Path, access_log: str = "off") -> str:
    values = {
        "@LISTEN@": listen,
        "@SERVER_NAME@": "_",
        "@APP@": app,
        "@PAGES@": str(pages),
        "@STATIC@": str(static),
        "@SCAN_LOG@": str(scan_log),
        "@ACCESS_LOG@": access_log,
    }
    text = CONF.read_text()
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def main_conf(workdir: Path, site: Path, *, workers: int, static_only: Path | None = None, port: int = 0) -> str:
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {name}_temp_path {workdir / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    static_server = ""
    if static_only is not None:  # the reference: nginx serving one file, nothing else
        static_server = (
            f"    server {{ listen 127.0.0.1:{port}; access_log off; root {static_only};"
            " location / { default_type text/html; try_files /page.html =404; } }\n"
        )
    include = f"    include {site};\n" if static_only is None else ""
    return (
        f"{user}worker_processes {workers};\npid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"{temp}\n"
        "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        "    sendfile on;\n    tcp_nopush on;\n    keepalive_requests 1000000;\n"
        f"{include}{static_server}"
        "}\n"
    )


@contextmanager
def running_nginx(
    workdir: Path,
    *,
    port: int,
    app: str = "127.0.0.1:9",
    pages: Path | None = None,
    static: Path | None = None,
    scan_log: Path | None = None,
    workers: int = 1,
    static_only: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """nginx on 127.0.0.1:``port`` with shilian's site config (or, with ``static_only``,
    serving ``static_only/page.html`` for any path), stopped on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    site = workdir / "shilian.conf"
    site.write_text(
        render_site(
            listen=f"127.0.0.1:{port}",
            app=app,
            pages=pages or workdir / "pages",
            static=static or workdir / "static",
            scan_log=scan_log or workdir / "scans.log",
        )
    )
    conf = workdir / "nginx.conf"
    conf.write_text(main_conf(workdir, site, workers=workers, static_only=static_only, port=port))
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        try:
            wait_for_port(port)
        except TimeoutError:
            process.kill()
            _, err = process.communicate(timeout=5)
            raise RuntimeError(f"nginx did not start: {err.decode()} {(workdir / 'error.log').read_text()}") from None
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
