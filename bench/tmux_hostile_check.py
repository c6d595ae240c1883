"""Open the hostile corpus in a real tmux, visit every screen, and report whether anything in the
results changed tmux's clipboard buffers or the pane title (issue 13's manual check, scripted).

    python bench/tmux_hostile_check.py [--corpus DIR] [--command "bench-tui --images=halfblock"]

tmux is set up as an attacker would want it: `set-clipboard on` (OSC 52 fills a buffer) and
`allow-rename on` (OSC 0/2 set the title). Prints one JSON object; exit 1 when
a buffer appeared, the title changed, or a traceback showed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEYS = [
    # run list → each tab → a run page and its dialogs → a task page → split view → problems
    ("1", 1.0),
    ("Enter", 1.0),
    ("E", 1.0),
    ("Escape", 0.5),
    ("Escape", 0.5),
    ("2", 1.0),
    ("Enter", 1.5),
    ("Right", 0.5),
    ("p", 0.5),
    ("Escape", 0.5),
    ("3", 1.0),
    ("Enter", 1.5),
    ("i", 1.0),
    ("Escape", 0.5),
    ("t", 0.5),
    ("Escape", 0.5),
    ("F", 0.5),
    ("Escape", 0.5),
    ("c", 1.0),
    ("Enter", 1.5),
    ("w", 0.5),
    ("w", 0.5),
    ("Escape", 0.5),
    ("Escape", 0.5),
    ("Escape", 0.5),
    ("Enter", 1.5),
    ("Right", 0.5),
    ("End", 0.5),
    ("c", 1.0),
    ("Enter", 1.5),
    ("Escape", 0.5),
    ("Escape", 0.5),
    ("Escape", 0.5),
    ("Escape", 0.5),
    ("Down", 0.3),
    ("Enter", 1.5),
    ("Enter", 1.5),
    ("Escape", 0.5),
    ("Escape", 0.5),
    ("!", 1.0),
    ("Enter", 1.0),
    ("Escape", 0.5),
    ("Escape", 0.5),
]


def tmux(sock: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--command", default="bench-tui --images=halfblock")
    args = parser.parse_args()
    corpus = args.corpus
    if corpus is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.fixtures.hostile_corpus import build_hostile_workspace

        corpus = build_hostile_workspace(Path(tempfile.mkdtemp()) / "hostile")
    sock = f"hostile-{os.getpid()}"
    tmux(sock, "new-session", "-d", "-s", "p", "-x", "160", "-y", "48", "bash", "--norc")
    try:
        for option in ("set-clipboard on", "allow-rename on"):
            subprocess.run(["tmux", "-L", sock, "set-option", "-g", *option.split()], check=False)
        tmux(sock, "select-pane", "-t", "p", "-T", "clean-title")
        before_title = tmux(sock, "display-message", "-p", "-t", "p", "#{pane_title}").strip()
        before_buffers = tmux(sock, "list-buffers").strip()
        tmux(sock, "send-keys", "-t", "p", f"{args.command} {shlex.quote(str(corpus))}", "Enter")
        time.sleep(4)
        screens = []
        for key, pause in KEYS:
            tmux(sock, "send-keys", "-t", "p", key)
            time.sleep(pause)
            screens.append(tmux(sock, "capture-pane", "-p", "-t", "p"))
        tmux(sock, "send-keys", "-t", "p", "q")
        time.sleep(1.5)
        after_title = tmux(sock, "display-message", "-p", "-t", "p", "#{pane_title}").strip()
        after_buffers = tmux(sock, "list-buffers").strip()
        window_name = tmux(sock, "display-message", "-p", "-t", "p", "#{window_name}").strip()
        traceback = any("Traceback (most recent call last)" in screen for screen in screens)
        if traceback:
            first = next(
                screen for screen in screens if "Traceback (most recent call last)" in screen
            )
            print(first, file=sys.stderr)
        shown_escapes = sum(screen.count("␛") for screen in screens)
    finally:
        tmux(sock, "kill-server")
    report = {
        "corpus": str(corpus),
        "title_before": before_title,
        "title_after": after_title,
        "window_name": window_name,
        "buffers_before": before_buffers,
        "buffers_after": after_buffers,
        "traceback": traceback,
        "escapes_shown_as_text": shown_escapes,
    }
    print(json.dumps(report, indent=2))
    clean = after_title == before_title and after_buffers == before_buffers and not traceback
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
