import io

from rich.console import Console
from rich.progress import Progress

from flows.progress import RunProgress, interactive, run_progress


def test_progress_is_silent_when_nobody_watches() -> None:
    # Under pytest stderr is captured, not a terminal: the same holds in CI and deployments.
    assert not interactive()
    with run_progress(3) as progress:
        progress.step("anything")


def test_each_step_advances_the_bar_and_names_what_comes_next() -> None:
    console = Console(file=io.StringIO(), force_terminal=True)
    with Progress(console=console) as bar:
        progress = RunProgress(bar, total=2)
        progress.step("merging")
        (task,) = bar.tasks
        assert (task.completed, task.description) == (1, "merging")
