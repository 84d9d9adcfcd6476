"""Command-line interface (Typer + Rich).

The CLI is the only layer that prints. It is a package rather than one module
because each command group (``info``, ``analyze``, ``demo``, ``triage``,
``experiment``, ``cohort``) is its own module; every module ``cmd_*.py`` here
exposes ``register(app)`` and is picked up automatically.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

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


def _plain_help(typer_app: typer.Typer) -> None:
    """Option and argument help is plain text: escape Rich markup, so that '[default]' shows instead of vanishing."""
    import inspect

    from rich.markup import escape
    from typer.models import ArgumentInfo, OptionInfo

    callbacks = [c.callback for c in typer_app.registered_commands]
    if typer_app.registered_callback is not None:
        callbacks.append(typer_app.registered_callback.callback)
    for cb in callbacks:
        for param in inspect.signature(cb).parameters.values() if cb is not None else ():
            info = param.default
            if isinstance(info, OptionInfo | ArgumentInfo) and info.help and not getattr(info, "_plain", False):
                info.help = escape(info.help)
                info._plain = True  # type: ignore[attr-defined]
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _plain_help(group.typer_instance)


def _flags_without_type() -> None:
    """On/off flags take no value: show no ``<bool>`` type next to them in ``--help``."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "_twitchlab", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if getattr(self, "is_bool_flag", False) or (self.is_flag and not self.count):
            return None
        return shown(self, ctx)

    display_type_rich._twitchlab = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_load_commands()
_plain_help(app)
_flags_without_type()


def main() -> None:
    """Entry point of the ``twitchlab`` console script."""
    app()
