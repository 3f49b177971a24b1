"""A private PostgreSQL cluster for the benchmark: initdb, start, stop (Debian's PostgreSQL 15).

Listens on 127.0.0.1 only, trust authentication (loopback, benchmark data only), fsync on.
initdb refuses to run as root, so as root every command runs as the ``postgres`` user and
the data directory belongs to it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

BIN = Path(os.environ.get("SHILIAN_PG_BIN", "/usr/lib/postgresql/15/bin"))
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_buffers": "'1GB'",
    "fsync": "on",
    "synchronous_commit": "on",
    "max_wal_size": "'8GB'",
    "checkpoint_timeout": "'30min'",
    "effective_cache_size": "'8GB'",
    "work_mem": "'32MB'",
    "random_page_cost": "1.1",  # data on SSD, and in RAM after the load
    "jit": "off",  # JIT compiles ~100 ms of code for big estimated costs; an OLTP default
    "max_connections": "20",
    "logging_collector": "off",
}


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str]) -> None:
    subprocess.run(_as_owner(cmd), check=True, stdout=subprocess.DEVNULL)


def start(data_dir: Path, port: int) -> str:
    """Create the cluster if needed, start it, and return a DSN for the ``postgres`` database."""
    data_dir = data_dir.resolve()
    if not (data_dir / "PG_VERSION").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            shutil.chown(data_dir, pw.pw_uid, pw.pw_gid)
        _run([str(BIN / "initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
    options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
    options += f" -c port={port} -c unix_socket_directories='{data_dir}'"
    _run([str(BIN / "pg_ctl"), "-D", str(data_dir), "-l", str(data_dir / "server.log"), "-o", options, "-w", "start"])
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop(data_dir: Path) -> None:
    _run([str(BIN / "pg_ctl"), "-D", str(data_dir.resolve()), "-m", "fast", "-w", "stop"])


def running(data_dir: Path) -> bool:
    return (data_dir.resolve() / "postmaster.pid").exists()
