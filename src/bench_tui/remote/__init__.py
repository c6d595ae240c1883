"""Results where they live: `s3://`, `az://`/`abfs://` and `gs://` URLs as DIR (issue 16, DESIGN §10).

The readers never learn a second I/O path: a URL is mirrored into a local folder under
`$XDG_CACHE_HOME/bench-tui/remote/` (small files fetched, images left as placeholders until a
step shows them) and that folder is read like any other. This module stays free of imports so
the command line can ask `is_remote_url` without loading fsspec.
"""

from __future__ import annotations

SCHEMES = {"s3": "s3", "az": "azure", "abfs": "azure", "gs": "gcs", "gcs": "gcs"}
"""URL scheme -> the extra that reads it."""


def is_remote_url(text: str) -> bool:
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES
