"""`repeats`, `audit` and `label`: can a benchmark number be believed? (DESIGN §10)

Registered on the main typer app by cli.py, which hands over its own folder check and usage-error
exit so that these commands answer bad input exactly as the others do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

# As in cli.py, each command imports what it uses in its body: start-up (tests/test_startup.py).
from bench_tui.remote.arg import RemoteArg, dir_or_url

if TYPE_CHECKING:
    from bench_tui.model import Workspace

DirArgument = Annotated[
    Path,
    typer.Argument(
        help="Folder to scan, or s3://, az://, abfs://, gs:// URL.",
        show_default=False,
        metavar="DIR",
        parser=dir_or_url,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
NoIndexOption = Annotated[
    bool,
    typer.Option("--no-index", help="Read every file; neither use nor update the index."),
]


def index_notice(message: str) -> None:
    from bench_tui.safetext import visible

    typer.echo(f"bench-tui: {visible(message, one_line=True)}", err=True)


def discover_workspace(directory: Path, no_index: bool = False) -> Workspace:
    """DIR as every command reads it: through the index unless `--no-index`."""
    from bench_tui.index.workspace import discover

    return discover(directory, use_index=not no_index, notice=index_notice)


def register(
    app: typer.Typer,
    existing_dir: Callable[[Path], Path],
    usage_error: Callable[[str], NoReturn],
) -> None:
    @app.command()
    def repeats(
        directory: DirArgument,
        as_json: JsonOption = False,
        no_index: NoIndexOption = False,
        k: Annotated[
            int | None,
            typer.Option(
                "--k",
                min=1,
                help="Trials drawn for pass@k and pass^k (default: the fewest trials any "
                "repeated task of the model has).",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Tasks a model ran more than once: pass@1, pass@k, pass^k and the flaky ones."""
        from bench_tui.analysis.repeats import repeats_json
        from bench_tui.json_text import json_output

        directory = existing_dir(directory)
        data = repeats_json(discover_workspace(directory, no_index).runs, k)
        if as_json:
            typer.echo(json_output(data))
            return
        from bench_tui.repeats_table import print_repeats

        print_repeats(data)

    @app.command()
    def audit(
        directory: DirArgument, as_json: JsonOption = False, no_index: NoIndexOption = False
    ) -> None:
        """Checker verdicts people overturned, and the success rate after review, per run."""
        from bench_tui.json_text import json_output
        from bench_tui.triage.audit import audit_json, audit_runs

        directory = existing_dir(directory)
        data = audit_json(audit_runs(discover_workspace(directory, no_index).runs))
        if as_json:
            typer.echo(json_output(data))
            return
        from bench_tui.audit_table import print_audit

        print_audit(data)

    @app.command()
    def label(
        directory: DirArgument,
        run_id: Annotated[
            str, typer.Argument(help="Run id as `summary --json` prints it.", metavar="RUN")
        ],
        task_id: Annotated[str, typer.Argument(help="Task id.", metavar="TASK_ID")],
        label_name: Annotated[str, typer.Argument(help="Label name.", metavar="LABEL")],
        model: Annotated[
            str | None,
            typer.Option(
                "--model", help="Model (needed when the run has several).", show_default=False
            ),
        ] = None,
        note: Annotated[
            str | None,
            typer.Option("--note", help="Set the task's note ('' clears it).", show_default=False),
        ] = None,
        remove: Annotated[bool, typer.Option("--remove", help="Remove the label.")] = False,
        no_index: NoIndexOption = False,
    ) -> None:
        """Label a task as the app's `t` does (the same store), e.g. to record a checker verdict."""
        if isinstance(directory, RemoteArg):
            # Labels are written beside the results; a URL is read, never written (issue 16).
            usage_error(f"label writes beside the results: give a local folder, not {directory}")

        from bench_tui.safetext import visible
        from bench_tui.triage.labels import SHOULD_FAIL, SHOULD_PASS, load_label_set
        from bench_tui.triage.store import TriageStore
        from bench_tui.triage.targets import TargetError, find_target, known_labels

        existing_dir(directory)
        labels, problems = load_label_set()
        runs = discover_workspace(directory, no_index).runs
        try:
            target = find_target(runs, run_id, task_id, label_name, model, labels)
        except TargetError as exc:
            message = str(exc)
            if problems and label_name not in known_labels(labels):
                # Likely the reason the label is unknown: the configured set could not be used.
                message += f"; {problems[0].located()}"
            usage_error(message)
        execution = target.execution
        store = TriageStore(target.run.path)
        try:
            write = store.remove_label if remove else store.add_label
            write(execution.model, execution.task_id, target.label, seed=execution.seed)
            if note is not None:
                store.set_note(execution.model, execution.task_id, note, seed=execution.seed)
        except (OSError, ValueError) as exc:
            typer.echo(
                f"bench-tui: could not save the label: {visible(exc, one_line=True)}", err=True
            )
            raise typer.Exit(1) from exc
        passed = execution.status == "passed"
        if not remove and (target.label, passed) in ((SHOULD_PASS, True), (SHOULD_FAIL, False)):
            verdict = "passed" if passed else "did not pass"
            typer.echo(
                f"bench-tui: the checker already {verdict} this task: the audit ignores this label",
                err=True,
            )
        what = "removed" if remove else "added"
        seed = f" seed {execution.seed}" if execution.seed is not None else ""
        typer.echo(
            visible(
                f"{what} '{target.label}' on {execution.task_id}{seed} ({execution.model}) "
                f"in {target.run.id}" + ("; note saved" if note is not None else ""),
                one_line=True,
            )
        )
