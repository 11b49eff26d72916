"""Entry point for `python -m brandpulse` and the `brandpulse` script."""

import sys

from brandpulse.cli import main


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
