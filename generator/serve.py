"""Serve the built site/ on localhost (what `python -m generator serve` runs)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path


def serve(site: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"serving {site} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
