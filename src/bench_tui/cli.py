"""Command line: parse, call sources/analysis, print or launch the app. Nothing else lives here."""

from __future__ import annotations

import gc
import os
import posixpath
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from bench_tui import __version__
from bench_tui.cli_review import DirArgument, NoIndexOption, discover_workspace
from bench_tui.cli_review import register as register_review_commands
from bench_tui.remote.arg import RemoteArg, dir_or_url

if TYPE_CHECKING:
    from bench_tui.analysis.compare_report import Comparison
    from bench_tui.model import EvalReport, Run, Workspace

# Each command imports the readers, models and printers it uses inside its body: `--version`,
# `--help` and a mistyped option answer without loading pydantic or the readers (a third of a
# second before; tests/test_startup.py keeps it so).

GLOBAL_WORDS = {"--help", "--version", "-h"}
DEFAULT_DEMO_OUT = Path("bench-tui-demo")


class OpenByDefault(TyperGroup):
    """`bench-tui [OPTIONS] DIR` means `bench-tui open [OPTIONS] DIR` (DESIGN §9)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands
            and args[0] not in GLOBAL_WORDS
            and (not args[0].startswith("-") or self._is_open_option(ctx, args[0]))
        ):
            args = ["open", *args]
        return super().parse_args(ctx, args)

    def _is_open_option(self, ctx: Any, word: str) -> bool:
        # `bench-tui --images=halfblock DIR` is `open`; `bench-tui --bogus` is a mistake of the
        # whole command, answered with its own usage rather than `open`'s.
        name = word.split("=", 1)[0]
        command = self.commands.get("open")
        return command is not None and any(name in param.opts for param in command.get_params(ctx))


app = typer.Typer(
    cls=OpenByDefault,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="See GUI-agent benchmark runs, training logs and eval reports in a terminal.",
)


class ImageMode(StrEnum):
    auto = "auto"
    kitty = "kitty"
    sixel = "sixel"
    halfblock = "halfblock"
    none = "none"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    parquet = "parquet"


CacheSizeOption = Annotated[
    str,
    typer.Option(
        "--cache-size",
        help="Remote results: screenshot bytes kept on disk for each URL (e.g. 500M, 2G).",
    ),
]
CheckImagesOption = Annotated[
    bool,
    typer.Option(
        "--check-images",
        help="Remote results: fetch each screenshot's last bytes (a small ranged request each) "
        "to find truncated ones; without it only the listing's sizes are checked. Local "
        "folders are always checked whole.",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bench-tui {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """See GUI-agent benchmark runs, training logs and eval reports in a terminal."""


def _exit_with(status: int) -> None:
    if status:
        raise typer.Exit(status)


_MIRRORS: set[str] = set()
"""Mirror folders of URLs given as DIR in this process (issue 16)."""


def _shown_root(root: str) -> str:
    """What `root` prints: the URL for a mirror folder."""
    if root not in _MIRRORS:
        return root
    from bench_tui.remote.cli_open import shown_root

    return shown_root(root)


def _cache_bytes(cache_size: str) -> int:
    from bench_tui.remote.session import parse_size

    try:
        return parse_size(cache_size)
    except ValueError as exc:
        _usage_error(f"--cache-size: {exc}")


def _existing_dir(path: Path, check_images: bool = False) -> Path:
    """The folder to read: DIR, or for a URL the local mirror of it (issue 16)."""
    if isinstance(path, RemoteArg):
        from bench_tui.remote.cli_open import mirrored

        root = mirrored(path, check_images)
        _MIRRORS.add(str(root))
        return root
    if not path.is_dir():
        from bench_tui.safetext import visible

        shown = visible(path, one_line=True)
        if path.exists():
            message = f"{shown} is a file, not a folder: give the folder that holds it"
        else:
            message = f"no such folder: {shown}"
        typer.echo(f"bench-tui: {message}", err=True)
        raise typer.Exit(2)
    return path


def _discover_with_stores(directory: Path, no_index: bool) -> Workspace:
    """The workspace plus the Problems of its runs' triage stores: `summary`, `validate` and the
    app's Problems view list the same set (a broken store is a broken file in the tree)."""
    from bench_tui.triage.store import store_problems

    if _ONE_COMMAND:
        # What is loaded by now (modules, classes, the readers) lives until the process ends:
        # frozen, the collector's full passes over the runs being read, and the last one at
        # exit, skip it (30 ms of a warm `summary --json` at 3 000 tasks x 3, a tenth of it).
        gc.freeze()
    workspace = discover_workspace(directory, no_index)
    root = Path(workspace.root)
    workspace.problems.extend(store_problems((run.path for run in workspace.runs), root))
    if workspace.root in _MIRRORS:  # remote results (issue 16): keys the mirror cannot hold
        from bench_tui.remote.cli_open import remote_problems

        workspace.problems.extend(remote_problems(workspace.root))
    return workspace


ExistingDir = DirArgument


GotoOption = typer.Option(
    "--goto",
    help="Open RUN, RUN/TASK or RUN/TASK/STEP (run id as `summary --json` prints it; step 1-based).",
    metavar="RUN[/TASK[/STEP]]",
    show_default=False,
)


@app.command("open")
def open_app(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder to scan, or s3://, az://, abfs://, gs:// URL.",
            metavar="DIR",
            parser=dir_or_url,
        ),
    ] = Path("."),
    images: Annotated[
        ImageMode | None,
        typer.Option(
            "--images", help="Screenshot renderer (env BENCH_TUI_IMAGES).", show_default=False
        ),
    ] = None,
    goto: Annotated[str | None, GotoOption] = None,
    cache_size: CacheSizeOption = "2G",
    no_index: NoIndexOption = False,
) -> None:
    """Open the app on DIR (the default command)."""
    if isinstance(directory, RemoteArg):  # issue 16: the app lists the URL in the background
        from bench_tui.remote.cli_open import session_for
        from bench_tui.tui.launch import launch

        session = session_for(directory, _cache_bytes(cache_size))
        _exit_with(
            launch(session.root, images.value if images else None, goto=goto, remote=session)
        )
        return
    _existing_dir(directory)
    from bench_tui.tui.launch import launch

    _exit_with(
        launch(directory, images.value if images else None, goto=goto, use_index=not no_index)
    )


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Where to write the demo.")] = DEFAULT_DEMO_OUT,
    no_open: Annotated[bool, typer.Option("--no-open", help="Write it, do not open it.")] = False,
    tasks: Annotated[int, typer.Option("--tasks", min=1, help="Tasks per run.")] = 40,
    images: Annotated[ImageMode | None, typer.Option("--images", show_default=False)] = None,
) -> None:
    """Write a synthetic workspace, then open it."""
    from bench_tui.demo import DemoRefused, write_demo
    from bench_tui.safetext import visible

    if Path("demo").is_dir() and out == DEFAULT_DEMO_OUT:
        # `demo` is a command name, so `bench-tui demo` never opens a folder called demo.
        typer.echo("bench-tui: ./demo is a folder: to open it, run `bench-tui open demo`", err=True)
    try:
        summary = write_demo(out, tasks_per_run=tasks)
    except DemoRefused as exc:
        typer.echo(f"bench-tui: {visible(exc, one_line=True)}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"demo workspace written to {visible(out, one_line=True)}")
    if summary.kept_labels:
        typer.echo(
            f"kept the triage labels of {len(summary.kept_labels)} run(s) of the earlier demo"
        )
    if not no_open:
        from bench_tui.tui.launch import launch

        _exit_with(launch(out, images.value if images else None))


SERVE_EXTRA = "install bench-tui[serve] to use serve"


@app.command()
def serve(
    directory: ExistingDir,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; off loopback a token is required.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="0 picks a free one.")
    ] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="BENCH_TUI_TOKEN",
            help="Token every request must carry (generated off loopback when not given).",
            show_default=False,
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url", help="Base URL browsers use (a proxy in front).", show_default=False
        ),
    ] = None,
    cache_size: CacheSizeOption = "2G",
    no_index: NoIndexOption = False,
) -> None:
    """The same app in a browser tab: one app process per tab (textual-serve)."""
    remote = isinstance(directory, RemoteArg)
    if remote:  # issue 16: each tab's app lists the URL itself; here only the extra is checked
        from bench_tui.remote.cli_open import session_for

        session_for(str(directory), _cache_bytes(cache_size))
    else:
        _existing_dir(directory)
    try:
        import textual_serve  # noqa: F401  (the extra: only its absence is handled here)
    except ImportError as exc:
        typer.echo(SERVE_EXTRA, err=True)
        raise typer.Exit(2) from exc
    from bench_tui.safetext import visible
    from bench_tui.serve.access import token_in_force
    from bench_tui.serve.server import ServeOptions, run

    options = ServeOptions(
        directory=directory if remote else directory.resolve(),
        directory_label=visible(directory, one_line=True),
        host=host,
        port=port,
        token=token_in_force(host, token),
        public_url=public_url,
        use_index=not no_index,
        cache_size=cache_size if remote else None,
    )
    _exit_with(run(options))


@app.command()
def summary(
    directory: ExistingDir,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    no_index: NoIndexOption = False,
    check_images: CheckImagesOption = False,
) -> None:
    """Runs, evals, trainings and problems found under DIR."""
    from bench_tui.json_text import json_output
    from bench_tui.report import summary_json

    directory = _existing_dir(directory, check_images)
    workspace = _discover_with_stores(directory, no_index)
    data = summary_json(workspace)
    data["root"] = _shown_root(workspace.root)
    if as_json:
        typer.echo(json_output(data))
        return
    from bench_tui.summary_table import print_summary

    print_summary(data)


@app.command()
def validate(
    directory: ExistingDir,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    no_index: NoIndexOption = False,
    check_images: CheckImagesOption = False,
) -> None:
    """List problems; exit 0 when there are none, 1 when there are some."""
    from bench_tui.json_text import json_output
    from bench_tui.report import problem_json
    from bench_tui.safetext import visible

    shown = directory
    directory = _existing_dir(directory, check_images)
    problems = _discover_with_stores(directory, no_index).sorted_problems()
    if as_json:
        typer.echo(json_output({"problems": [problem_json(p) for p in problems]}))
    elif problems:
        for problem in problems:
            typer.echo(visible(problem.located(), one_line=True))
    else:
        typer.echo(f"no problems in {visible(shown, one_line=True)}")
    raise typer.Exit(1 if problems else 0)


@app.command()
def export(
    directory: ExistingDir,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="csv or json; parquet writes runs, executions, steps and labels into -o FOLDER.",
            metavar="csv|json|parquet",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File (default stdout); parquet: a folder."),
    ] = None,
    no_index: NoIndexOption = False,
) -> None:
    """One row per (run, model, task); or the four query views as Parquet files."""
    from bench_tui.atomic import write_atomic
    from bench_tui.report import export_rows, render_export
    from bench_tui.safetext import visible

    local = not isinstance(directory, RemoteArg)
    if local:
        _existing_dir(directory)
    if fmt not in {choice.value for choice in ExportFormat}:
        *others, last = [choice.value for choice in ExportFormat]
        _usage_error(
            f"--format must be {', '.join(others)} or {last} (got {visible(fmt, one_line=True)!r})"
        )
    if not local:  # a mistaken --format is said before anything is listed
        directory = _existing_dir(directory)
    if fmt == ExportFormat.parquet:
        _export_parquet(directory, output, no_index)
        return
    text = render_export(export_rows(discover_workspace(directory, no_index)), fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text.encode("utf-8"))


def _export_parquet(directory: Path, output: Path | None, no_index: bool) -> None:
    from bench_tui.cli_review import index_notice
    from bench_tui.index.parquet import PARQUET_EXTRA, ParquetUnavailable
    from bench_tui.index.workspace import export_parquet

    if output is None:
        _usage_error("--format parquet needs -o FOLDER (it writes one file per table)")
    if output.exists() and not output.is_dir():
        _usage_error(f"{output} is a file: -o takes a folder for parquet")
    try:
        import pyarrow  # noqa: F401  (the extra: only its absence is handled here)
    except ImportError:
        _usage_error(PARQUET_EXTRA)
    try:
        export_parquet(directory, output, use_index=not no_index, notice=index_notice)
    except ParquetUnavailable as exc:
        _usage_error(str(exc))


@app.command()
def search(
    directory: ExistingDir,
    query: Annotated[
        str, typer.Argument(help='Words (all must match) and "quoted phrases".', metavar="QUERY")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most hits to show.")] = 50,
    no_index: NoIndexOption = False,
) -> None:
    """Search instructions, actions, reasoning, log lines and errors of every step."""
    from bench_tui.cli_review import index_notice
    from bench_tui.index.search import BadQuery
    from bench_tui.index.warm import search_unchanged
    from bench_tui.json_text import json_output

    directory = _existing_dir(directory)
    try:
        # An unchanged folder is answered from the index without reading it (or loading the
        # readers); anything else brings the index in step first.
        hits = None if no_index else search_unchanged(directory, query, limit, index_notice)
        if hits is None:
            from bench_tui.index.workspace import search_workspace

            hits = search_workspace(
                directory, query, limit, use_index=not no_index, notice=index_notice
            )
    except BadQuery as exc:
        _usage_error(str(exc))
    if as_json:
        typer.echo(json_output([hit.as_json() for hit in hits]))
        return
    from bench_tui.safetext import visible

    for hit in hits:
        where = f"step {hit.step}" if hit.step is not None else "task"
        line = f"{hit.run}  {hit.model}  {hit.task_id}  {where}  {hit.field}: {hit.snippet}"
        typer.echo(visible(line, one_line=True))


@app.command()
def query(
    directory: ExistingDir,
    sql: Annotated[
        str, typer.Argument(help="One SELECT over runs, executions, steps, labels.", metavar="SQL")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    no_index: NoIndexOption = False,
) -> None:
    """Read-only SQL over the views runs, executions, steps and labels (see README)."""
    from bench_tui.cli_review import index_notice
    from bench_tui.csv_text import csv_cell, csv_line
    from bench_tui.index.query import QueryRefused, plain_value
    from bench_tui.index.workspace import query_workspace
    from bench_tui.json_text import json_output
    from bench_tui.safetext import visible

    directory = _existing_dir(directory)
    if as_json and as_csv:
        _usage_error("--json and --csv: choose one")
    try:
        columns, rows = query_workspace(directory, sql, use_index=not no_index, notice=index_notice)
    except QueryRefused as exc:
        _usage_error(f"query refused: {exc}")
    records = [[plain_value(value) for value in row] for row in rows]
    if as_json:
        typer.echo(json_output([dict(zip(columns, record, strict=True)) for record in records]))
    elif as_csv:
        sys.stdout.write(csv_line([csv_cell(name) for name in columns]))
        for record in records:
            sys.stdout.write(csv_line([csv_cell(value) for value in record]))
    else:
        typer.echo(visible("\t".join(columns), one_line=True))
        for record in records:
            cells = ["" if value is None else str(value) for value in record]
            typer.echo(visible("\t".join(cells), one_line=True))


@app.command()
def show(
    directory: ExistingDir,
    run_id: Annotated[
        str, typer.Argument(help="Run id as `summary --json` prints it.", metavar="RUN")
    ],
    task_id: Annotated[str, typer.Argument(help="Task id.", metavar="TASK")],
    step: Annotated[
        int, typer.Argument(help="Step number, 1-based as on the task page.", metavar="[STEP]")
    ] = 1,
    model: Annotated[
        str | None, typer.Option("--model", help="Model, when the run has several.")
    ] = None,
    images: Annotated[
        ImageMode | None,
        typer.Option(
            "--images",
            help="Screenshot: halfblock, kitty, sixel or none (auto: half-blocks on a terminal, "
            "none when piped).",
            show_default=False,
        ),
    ] = None,
    no_index: NoIndexOption = False,
) -> None:
    """Print one step: header, action, reasoning and the screenshot with the action drawn."""
    from bench_tui.sources.steps import load_steps
    from bench_tui.step_printer import ShownStep, pick_images, print_step
    from bench_tui.terminal_output import output_console

    given = directory
    directory = _existing_dir(directory)
    workspace = discover_workspace(directory, no_index)
    run = next((r for r in workspace.runs if r.id == run_id), None)
    if run is None:
        known = ", ".join(r.id for r in workspace.runs[:8]) or "none"
        _usage_error(f"no run {run_id!r} under {given} (runs: {known})")
    ran = [e for e in run.executions if e.task_id == task_id]
    if not ran:
        _usage_error(f"run {run_id!r} has no task {task_id!r}")
    if model is not None:
        ran = [e for e in ran if e.model == model]
        if not ran:
            _usage_error(f"model {model!r} did not run {task_id!r} in {run_id!r}")
    execution = ran[0]
    steps, problems = load_steps(run, execution, directory)
    if not steps:
        _usage_error(f"{task_id!r} of {run_id!r} recorded no steps")
    if not 1 <= step <= len(steps):
        _usage_error(
            f"step {step} is out of range: the trace holds {len(steps)} steps (1–{len(steps)})"
        )
    console = output_console()
    mode = pick_images(images.value if images else None, console.is_terminal)
    shown = ShownStep(run, execution, run.task(task_id), steps, step, problems)
    print_step(shown, console, mode)


# ----- compare ---------------------------------------------------------------------------------


def _usage_error(message: str) -> NoReturn:
    from bench_tui.safetext import visible

    typer.echo(f"bench-tui: {visible(message, one_line=True)}", err=True)
    raise typer.Exit(2)


def _only_run(path_text: str, no_index: bool = False) -> Run:
    """The one run a folder holds (discovered like any workspace)."""

    path = Path(path_text)
    if isinstance(dir_or_url(path_text), RemoteArg):  # issue 16: a run in object storage
        path = _existing_dir(dir_or_url(path_text))
    elif not path.is_dir():
        _usage_error(f"no such run folder or eval report: {path_text}")
    runs = discover_workspace(path, no_index).runs
    if not runs:
        _usage_error(f"no benchmark run found in {path_text}")
    if len(runs) > 1:
        names = ", ".join(posixpath.join(path_text, run.id) for run in runs)
        _usage_error(f"{path_text} holds {len(runs)} runs, name one: {names}")
    return runs[0]


def _eval_report(path_text: str) -> EvalReport:
    from bench_tui.sources.common import ReadContext
    from bench_tui.sources.training.evalreport import read_eval_report

    path = Path(path_text)
    # The user named this file: wherever a link leads, its real folder is the one opened.
    ctx = ReadContext(root=Path(os.path.realpath(path)).parent)
    report = read_eval_report(path, ctx)
    if report is None:
        reason = ctx.problems[0].message if ctx.problems else "unreadable"
        _usage_error(f"{path_text} is not an eval report: {reason}")
    return report


def _comparison(
    a: str,
    b: str | None,
    models: tuple[str, str] | None,
    gate_metric: str | None,
    gate_threshold: float | None,
    no_index: bool = False,
) -> Comparison:
    from bench_tui.analysis.compare_report import compare_evals, compare_runs

    if b is None:
        if models is None or not (Path(a).is_dir() or isinstance(dir_or_url(a), RemoteArg)):
            _usage_error("compare needs A and B, or one run folder with --models A B")
        run = _only_run(a, no_index)
        return compare_runs(
            models[0],
            models[1],
            run,
            run,
            model_a=models[0],
            model_b=models[1],
            gate_metric=gate_metric,
            gate_threshold=gate_threshold,
            run_names=(a, a),
        )
    files = [Path(a).is_file(), Path(b).is_file()]
    if all(files):
        if models is not None:
            _usage_error("--models applies to runs, not to eval reports")
        return compare_evals(
            a,
            b,
            _eval_report(a),
            _eval_report(b),
            gate_metric=gate_metric,
            gate_threshold=gate_threshold,
        )
    if any(files):
        _usage_error("compare two run folders or two eval report files, not one of each")
    model_a, model_b = models if models is not None else (None, None)
    return compare_runs(
        a,
        b,
        _only_run(a, no_index),
        _only_run(b, no_index),
        model_a=model_a,
        model_b=model_b,
        gate_metric=gate_metric,
        gate_threshold=gate_threshold,
    )


@app.command()
def compare(
    a: Annotated[
        str, typer.Argument(help="Baseline: a run folder or an eval report JSON.", metavar="A")
    ],
    b: Annotated[
        str | None,
        typer.Argument(
            help="Newer run or fine-tuned report (omit with --models).",
            show_default=False,
            metavar="B",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression",
            help="Exit 1 when a task A passed fails in B, or the gate fails.",
        ),
    ] = False,
    models: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--models", help="Model of A and model of B.", show_default=False, metavar="MA MB"
        ),
    ] = None,
    gate_metric: Annotated[
        str | None,
        typer.Option(
            "--gate-metric",
            help="Gate on this metric (eval reports: default action_type_accuracy).",
            show_default=False,
        ),
    ] = None,
    gate_threshold: Annotated[
        float | None,
        typer.Option(
            "--gate-threshold", help="Least gain B must show (default 0.20).", show_default=False
        ),
    ] = None,
    no_index: NoIndexOption = False,
) -> None:
    """Compare two runs, two models of one run, or two eval reports (A is the baseline)."""
    from bench_tui.analysis.compare import CompareInputError
    from bench_tui.json_text import json_output

    try:
        comparison = _comparison(a, b, models, gate_metric, gate_threshold, no_index)
    except CompareInputError as exc:
        _usage_error(str(exc))
    if as_json:
        typer.echo(json_output(comparison.data))
    else:
        from bench_tui.compare_table import print_compare

        print_compare(comparison.data, comparison.warnings)
    raise typer.Exit(1 if fail_on_regression and comparison.fails else 0)


register_review_commands(app, _existing_dir, _usage_error)


_ONE_COMMAND = False
"""This process runs one command and exits (`main`); not so under tests, which run many."""


def main() -> None:
    global _ONE_COMMAND
    _ONE_COMMAND = True
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
