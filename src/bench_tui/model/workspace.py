"""Everything discovery found under one folder."""

from pydantic import BaseModel, Field

from bench_tui.model.benchmark import Run
from bench_tui.model.episode import Episode
from bench_tui.model.evalreport import EvalReport
from bench_tui.model.problem import Problem
from bench_tui.model.training import TrainingRun


class Workspace(BaseModel):
    root: str
    runs: list[Run] = Field(default_factory=list)
    evals: list[EvalReport] = Field(default_factory=list)
    trainings: list[TrainingRun] = Field(default_factory=list)
    episodes: list[Episode] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)

    def sorted_problems(self) -> list[Problem]:
        return sorted(set(self.problems), key=Problem.sort_key)
