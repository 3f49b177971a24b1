"""``shilian serve``: the production web server (granian, WSGI), the background worker and the
camera supervisor (``shilian video``).

All run as child processes; when either stops, or on Ctrl-C / SIGTERM, both are stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve shilian with granian (WSGI) and run the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker and the ledger's daily close")
        parser.add_argument(
            "--no-video",
            action="store_true",
            default=os.environ.get("SHILIAN_VIDEO", "1") == "0",
            help="do not start the camera supervisor (shilian video); also SHILIAN_VIDEO=0",
        )
        parser.add_argument(
            "--front",
            choices=["none", "nginx"],
            default=os.environ.get("SHILIAN_FRONT", "none"),
            help="nginx: also pre-render consumer pages for nginx and read its scan log (deploy/nginx/)",
        )
        parser.add_argument(
            "--scan-log",
            default=os.environ.get("SHILIAN_SCAN_LOG", ""),
            help="nginx's scan log to read into the scan log (with --front nginx)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["front"] == "nginx" and not options["scan_log"]:
            raise CommandError("--front nginx needs --scan-log (or SHILIAN_SCAN_LOG): nginx's scan log file")
        bindir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bindir, "granian"),
            "--interface", "wsgi",
            "--host", options["host"],
            "--port", str(options["port"]),
            "--workers", str(options["workers"]),
            "shilian.config.wsgi:application",
        ]
        children = [subprocess.Popen(web)]
        if not options["no_worker"]:
            children.append(subprocess.Popen([os.path.join(bindir, "shilian"), "db_worker"]))
            # the chain of evidence: sign each day's root once the day is over (idempotent, catches up)
            children.append(subprocess.Popen([os.path.join(bindir, "shilian"), "ledger", "close", "--every", "3600"]))
        if not options["no_video"]:
            children.append(subprocess.Popen([os.path.join(bindir, "shilian"), "video"]))
        if options["front"] == "nginx":
            children.append(subprocess.Popen([os.path.join(bindir, "shilian"), "prerender", "--watch"]))
            children.append(
                subprocess.Popen([os.path.join(bindir, "shilian"), "ingest_scans", options["scan_log"], "--watch"])
            )
        self.stdout.write(f"shilian serving on http://{options['host']}:{options['port']}/ (Ctrl-C stops)")
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = 0
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(code)
