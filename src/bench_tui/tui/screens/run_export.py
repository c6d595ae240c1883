"""`e` on the run page: the rows on screen, for the model shown, to a CSV file outside the
results, written by a worker (the page never waits on the disk)."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from bench_tui.atomic import write_atomic
from bench_tui.model import Run
from bench_tui.report import render_export, run_export_rows
from bench_tui.tui.worker_errors import reported_work


def export_path(results_root: Path, label: str) -> Path:
    """Exports go to the current folder, never into the results tree unasked (DESIGN §7)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
    folder = Path.cwd().resolve()
    if folder == results_root.resolve() or results_root.resolve() in folder.parents:
        folder = Path.home()
    return folder / f"bench-tui-{safe}.csv"


def write_run_export(
    run: Run, task_ids: set[str], model: str | None, root: Path
) -> tuple[int, Path]:
    """The export rows of `task_ids` (of `model` when given) written as CSV: (rows, where).
    OSError when the file cannot be written."""
    rows = [
        row
        for row in run_export_rows(run)
        if row["task_id"] in task_ids and (model is None or row["model"] == model)
    ]
    target = export_path(root, run.label)
    write_atomic(target, render_export(rows, "csv").encode("utf-8"))
    return len(rows), target


class RunExport(Screen[None]):
    """The run page's `e` (RunScreen says what is on screen)."""

    run: Run
    root: Path

    def export_selection(self) -> tuple[set[str], str | None]:
        """(task ids shown, model shown or None)."""
        raise NotImplementedError

    def action_export(self) -> None:
        task_ids, model = self.export_selection()
        self._write_export(self.run, task_ids, model)

    @reported_work(
        "exporting the task list", group="run-export", where=lambda _page, run, *_: run.id
    )
    def _write_export(self, run: Run, task_ids: set[str], model: str | None) -> None:
        try:
            count, target = write_run_export(run, task_ids, model, self.root)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"export failed: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"{count} rows written to {target}", timeout=4)
