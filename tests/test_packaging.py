"""The one namespace: every code folder installs under `brandpulse.` and nothing else does."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def declared() -> tuple[set[str], dict[str, str]]:
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(setuptools["packages"]), setuptools["package-dir"]


def package_folders(package: str, folder: Path) -> set[str]:
    """Return `package` and every sub-folder of `folder` holding Python code, as dotted names."""
    found = {package}
    for child in folder.rglob("*.py"):
        parts = child.parent.relative_to(folder).parts
        if "__pycache__" not in parts and parts:
            found.add(".".join((package, *parts)))
    return found


def test_every_code_folder_is_an_installed_package() -> None:
    packages, dirs = declared()
    roots = {"brandpulse": REPO / "brandpulse"} | {name: REPO / d for name, d in dirs.items()}
    expected: set[str] = set()
    for name, folder in roots.items():
        expected |= package_folders(name, folder)
    # A folder missing here would be left out of the wheel: its modules import in a checkout
    # and fail on a user's machine.
    assert expected - packages == set()
    for name in packages:
        root = max((r for r in roots if name == r or name.startswith(r + ".")), key=len)
        folder = roots[root].joinpath(*name[len(root) :].split(".")[1:])
        assert (folder / "__init__.py").is_file(), f"{name} needs an __init__.py"


def test_only_the_brandpulse_namespace_is_installed() -> None:
    packages, dirs = declared()
    assert {p.split(".")[0] for p in packages} == {"brandpulse"}
    assert all(name.startswith("brandpulse.") for name in dirs)
