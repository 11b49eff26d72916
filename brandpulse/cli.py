"""The `brandpulse` command: one typer app, one module per command under brandpulse/commands/.

Exit codes are for cron: 0 ok, 1 some sources failed, 2 bad usage or config,
3 another collection holds the lock (or the database stayed busy), 4 every source failed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from brandpulse import __version__
from brandpulse.commands import (
    admin,
    alerts,
    analyze,
    collect,
    correct,
    export,
    init,
    lake,
    match,
    preview,
    relevance,
    sentiment,
    sentiment_train,
)
from brandpulse.commands import dashboard as dashboard_command
from brandpulse.commands import demo as demo_command
from brandpulse.store.errors import BrandpulseError

app = typer.Typer(
    name="brandpulse",
    help="Brand social listening: collect mentions from Reddit and news/blog feeds, tag their"
    " sentiment, and explore them in a dashboard. Add --debug anywhere for full tracebacks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"brandpulse {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    """Brand social listening (see --help)."""


app.command("init")(init.command)
app.command("collect")(collect.command)
app.command("status")(admin.status)
app.command("prune")(admin.prune)
app.command("forget")(admin.forget)
app.command("preview")(preview.command)
app.command("dashboard")(dashboard_command.command)
app.command("demo")(demo_command.command)
app.command("analyze")(analyze.command)
app.command("sentiment")(sentiment.command)
# `brandpulse sentiment train` (main() rewrites it to this name; a file called "train"
# can still be scored as ./train).
app.command("sentiment-train", hidden=True)(sentiment_train.command)
app.command("export")(export.command)
app.command("match")(match.command)
app.command("correct")(correct.command)
app.add_typer(alerts.app, name="alerts")
app.command("digest")(alerts.digest)
app.command("mark")(relevance.mark_command)
app.add_typer(relevance.app, name="relevance")
app.add_typer(lake.app, name="lake")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and turn every brandpulse error into one line, its fix and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    if args[:2] == ["sentiment", "train"]:
        args = ["sentiment-train", *args[2:]]
    try:
        result = app(args=args, prog_name="brandpulse", standalone_mode=False, obj={"debug": debug})
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except BrandpulseError as exc:
        if debug:
            raise
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"  fix: {exc.fix}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        # Usage errors come from the click copy inside typer, which it does not export:
        # they are the exceptions that can show themselves and carry an exit code (2).
        exit_code = getattr(exc, "exit_code", None)
        if hasattr(exc, "show") and isinstance(exit_code, int):
            exc.show()
            return exit_code
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
