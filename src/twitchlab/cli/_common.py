"""Shared CLI plumbing: console, error presentation, progress."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from twitchlab.errors import ParameterError, TwitchlabError, TwitchlabWarning

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
        except OSError as err:
            message = os_error_message(err)
            if message is None:
                _internal_error(err)
            err_console.print(f"[bold red]error:[/] {message}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(130) from None
        except Exception as err:  # last resort: short message, no traceback dump for users
            _internal_error(err)

    return wrapper  # type: ignore[return-value]


def _internal_error(err: BaseException) -> None:
    err_console.print(
        f"[bold red]internal error:[/] {type(err).__name__}: {err}\n"
        "This is a bug in twitchlab; please report it with the command you ran."
    )
    raise typer.Exit(EXIT_INTERNAL) from None


def os_error_message(err: OSError) -> str | None:
    """A plain sentence for an ordinary file-system mistake (naming the path and what to do), else None."""
    # atomic writes rename a temporary file onto the target: the target is filename2 then
    path = err.filename2 if getattr(err, "filename2", None) else err.filename
    if path is None:
        return None
    path = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    p = Path(path)
    if isinstance(err, FileNotFoundError):
        if p.is_dir():
            return f"{path} is a folder, not a file. Give the recording or annotation file inside it."
        parent = p.parent
        if not parent.is_dir():
            return f"file not found: {path} (the folder {parent} does not exist). Check the path."
        return f"file not found: {path}. Check the path."
    if isinstance(err, IsADirectoryError):
        return f"{path} is a folder, not a file. Give a file name, e.g. {p / 'result.json'}."
    if isinstance(err, NotADirectoryError):
        return f"{path}: part of this path is a file, not a folder. Choose another path."
    if isinstance(err, FileExistsError):
        return f"{path} already exists and is a file, not a folder. Give a folder name, or move the file away."
    if isinstance(err, PermissionError):
        return f"permission denied: {path}. Choose a place you can write to, or check the file's permissions."
    reason = err.strerror or type(err).__name__
    return f"cannot read or write {path}: {reason}. Check the path and the disk."


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _can_write(folder: Path) -> bool:
    """True when a file can be created in ``folder`` (tried, not guessed from the mode bits)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        fd, tmp = tempfile.mkstemp(prefix=".twitchlab-probe.", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(tmp)
    return True


def check_output_path(
    path: Path | None, flag: str, kind: Literal["file", "folder"], example: str = "result.json"
) -> None:
    """Refuse an output path that cannot be written, before any work is done.

    ``kind="folder"``: ``path`` must be a folder or creatable as one; ``kind="file"``: ``path`` must not be a
    folder (the message suggests ``path / example``), and its folder must exist or be creatable. Nothing is
    created.

    Raises
    ------
    ParameterError
        The path is of the wrong kind, sits under a file, or its folder is not writable.
    """
    if path is None:
        return
    if kind == "folder" and path.exists() and not path.is_dir():
        raise ParameterError(
            f"{flag} {path}: this is a file, not a folder. Give a folder name (it is created when missing)."
        )
    if kind == "file" and path.is_dir():
        raise ParameterError(f"{flag} {path}: this is a folder. Give a file name, e.g. {path / example}.")
    folder = path if kind == "folder" else path.parent
    base = _nearest_existing(folder)
    if not base.is_dir():
        raise ParameterError(f"{flag} {path}: cannot be created, because {base} is a file. Choose another path.")
    if not _can_write(base):
        what = "written" if base == folder.absolute() else "created"
        raise ParameterError(
            f"{flag} {path}: cannot be {what}: {base} takes no new files (no permission, or read-only). "
            "Choose a folder you can write to."
        )


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
        disable=not err_console.is_terminal,  # a pipe or log file gets no bar, and no stray blank line
    ) as progress:
        task = progress.add_task(description, total=total)

        def update(done: float, total_: float) -> None:
            progress.update(task, completed=done, total=total_)

        yield update
