"""Shared CLI plumbing: console, error presentation, progress."""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from twitchlab.errors import TwitchlabError, TwitchlabWarning

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2  # bad input or parameters
EXIT_INTERNAL = 3


def handle_errors(func: F) -> F:
    """Turn TwitchlabError into a clean message and exit code; never a bare traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        logging.basicConfig(level=logging.WARNING, handlers=[RichHandler(console=err_console, show_path=False)])
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", TwitchlabWarning)
                result = func(*args, **kwargs)
            for w in caught:
                if issubclass(w.category, TwitchlabWarning):
                    err_console.print(f"[yellow]warning:[/] {w.message}")
            return result
        except typer.Exit:
            raise
        except TwitchlabError as err:
            err_console.print(f"[bold red]error:[/] {err}")
            raise typer.Exit(EXIT_INPUT) from None
        except FileNotFoundError as err:
            err_console.print(f"[bold red]error:[/] file not found: {err.filename}. Check the path.")
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(130) from None
        except Exception as err:  # last resort: short message, no traceback dump for users
            err_console.print(
                f"[bold red]internal error:[/] {type(err).__name__}: {err}\n"
                "This is a bug in twitchlab; please report it with the command you ran."
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(description: str, total: float | None = None) -> Iterator[Callable[[float, float], None]]:
    """Yield a ``callback(done, total)`` that drives a Rich progress bar on stderr."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)

        def update(done: float, total_: float) -> None:
            progress.update(task, completed=done, total=total_)

        yield update
