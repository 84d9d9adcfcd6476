"""Command-line interface (Typer + Rich).

The CLI is the only layer that prints. It is a package rather than one module
because each command group (``info``, ``analyze``, ``demo``, ``triage``,
``experiment``, ``cohort``) is its own module; every module ``cmd_*.py`` here
exposes ``register(app)`` and is picked up automatically.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from twitchlab import __version__

app = typer.Typer(
    name="twitchlab",
    help="Measure, characterise and triage twitching in sleep. Nothing you give it leaves this machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"twitchlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Twitchlab: is this twitching a problem, what kind is it, and does anything I change make it better."""


def _load_commands() -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{mod.name}").register(app)


_load_commands()


def main() -> None:
    """Entry point of the ``twitchlab`` console script."""
    app()
