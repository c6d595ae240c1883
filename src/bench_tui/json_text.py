"""The JSON every command prints or writes (no bench_tui imports: `search --json` on a warm index
loads nothing else)."""

from __future__ import annotations

import json
import re
from typing import Any

_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""DEL and the C1 controls (U+009B is an 8-bit CSI) act on terminals, U+2028/U+2029 end lines
in JavaScript, and a lone surrogate (JSON may carry one) cannot be written as UTF-8."""


def json_output(data: Any) -> str:
    """The JSON every command prints or writes: non-ASCII as it is, except the characters above
    as \\uXXXX escapes (they occur only inside strings there, so the JSON stays the same)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
