"""scripts/ensure-chromium with the dpkg lock held by another process: it waits a bounded
time, then says why in one line and lets `make test` go on (the browser tests skip)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "ensure-chromium"

# Stands in for apt-get while another process holds the lock: it records its arguments and
# fails as apt-get does, whether or not it was told to wait.
FAKE_APT_GET = """#!/bin/sh
echo "$@" >> "$CALLS"
echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2
exit 100
"""


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(body)
    path.chmod(0o755)


def _run(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _tool(bin_dir, "apt-get", FAKE_APT_GET)
    _tool(bin_dir, "id", "#!/bin/sh\necho 0\n")  # as root, so the script tries to install
    for name in ("mktemp", "grep", "head", "rm", "cat"):
        (bin_dir / name).symlink_to(subprocess.check_output(["which", name], text=True).strip())
    calls = tmp_path / "calls"
    env = {
        "PATH": str(bin_dir),  # no chromium on this PATH
        "CALLS": str(calls),
        "BRANDPULSE_APT_LOCK_TIMEOUT": "7",
    }
    done = subprocess.run(
        ["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    return done, calls.read_text().splitlines() if calls.exists() else []


def test_a_held_dpkg_lock_is_waited_for_then_the_browser_tests_are_skipped(
    tmp_path: Path,
) -> None:
    done, calls = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert calls, "apt-get was never called"
    assert all("DPkg::Lock::Timeout=7" in call for call in calls), calls
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Could not get lock" in lines[0] and "browser tests will be skipped" in lines[0]
