"""Step replay of one WebArena task: one Step per action block of its render.

The screenshots embedded in the render are decoded into a cache folder outside the results
tree (the app never writes inside result folders), named by a hash of their data so that
reopening a task reuses them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Run, Step
from bench_tui.safeio import create_new, make_private_dir
from bench_tui.sources._io.images import PNG_SIGNATURE
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources.common import ReadContext
from bench_tui.sources.webarena.render import (
    RenderBlock,
    block_action,
    parse_block,
    read_render_text,
    split_render,
)


def screenshot_cache_dir() -> Path:
    """Decoded render screenshots go here, outside any results tree, one folder per user."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"bench-tui-cache-{user}" / "webarena"


def _image_bytes_problem(data: bytes) -> str | None:
    """Why decoded bytes are not a whole image; a render cut mid-write leaves a partial one."""
    if data.startswith(PNG_SIGNATURE):
        return None if data[-12:][4:8] == b"IEND" else "is truncated (PNG has no end marker)"
    if data.startswith(b"\xff\xd8\xff"):
        return None if data.endswith(b"\xff\xd9") else "is truncated (JPEG has no end marker)"
    return "is not a PNG or JPEG image"


def _cached_screenshot(
    block: RenderBlock, number: int, render: Path, ctx: ReadContext
) -> str | None:
    encoded = "".join((block.image_base64 or "").split())
    if not encoded:
        return None
    suffix = "jpg" if block.image_type in ("jpeg", "jpg") else "png"
    digest = hashlib.sha256(encoded.encode("ascii", "replace")).hexdigest()[:40]
    folder = screenshot_cache_dir()
    try:
        # The temp folder is shared: another user could have made these names, or links there.
        make_private_dir(folder.parent)
        make_private_dir(folder)
    except OSError as exc:
        ctx.problem(
            render,
            f"cannot keep the screenshot of step {number} in {folder}: {exc.strerror or exc}",
        )
        return None
    target = folder / f"{digest}.{suffix}"
    if target.is_file():
        return str(target)
    try:
        data = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        ctx.problem(render, f"screenshot of step {number} is not valid base64: not shown")
        return None
    problem = _image_bytes_problem(data)
    if problem is not None:
        ctx.problem(render, f"screenshot of step {number} {problem}: not shown")
        return None
    try:
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        partial.unlink(missing_ok=True)  # left by a crash; create_new wants the name free
        fd = create_new(partial, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(partial, target)
    except OSError as exc:
        ctx.problem(
            render,
            f"cannot write the screenshot of step {number} to {target.parent}: "
            f"{exc.strerror or exc}",
        )
        return None
    return str(target)


def load_webarena_steps(run: Run, execution: Execution, ctx: ReadContext) -> list[Step]:
    """One Step per action block of the task's render, `stop` included."""
    if execution.source_path is None:
        return []
    render = Path(execution.source_path)
    text = read_render_text(render, ctx)
    if text is None:
        return []
    _, blocks = split_render(text)
    if len(blocks) > MAX_STEPS:
        ctx.problem(render, STEPS_CUT)
        blocks = blocks[:MAX_STEPS]
    steps: list[Step] = []
    for index, block_text in enumerate(blocks):
        block = parse_block(block_text)
        action = block_action(block)
        logs: list[str] = []
        if action.type == "fail" and action.answer:
            logs.append(f"stopped early: {action.answer}")
        if block.prev_action and block.prev_action != "None":
            logs.append(f"previous action: {block.prev_action}")
        extra: dict[str, Any] = {
            key: value
            for key, value in (
                ("url", block.url),
                ("parsed_action", block.parsed_action),
                ("pw_code", block.pw_code),
                ("observation", block.observation),
            )
            if value
        }
        steps.append(
            Step(
                index=index,
                source_number=index + 1,
                screenshot=_cached_screenshot(block, index + 1, render, ctx),
                actions=[action],
                reasoning=block.raw_prediction or None,
                raw_output=block.raw_prediction or block.pw_code,
                logs=logs,
                extra=extra,
            )
        )
    return steps
