#!/usr/bin/env bash
# GPU check: the whole test suite with MINPY_REQUIRE_GPU=1, then the GPU benchmarks, as one table.
#
# For a machine with an NVIDIA GPU, CuPy, PyTorch, pytest, pytest-benchmark and scikit-learn
# already installed; it installs nothing and needs no network. Run from anywhere:
#     bench/gpu_check.sh
# Budget: tests at most TEST_TIMEOUT seconds (default 250; spread over 8 workers when
# pytest-xdist is installed), benchmarks at most BENCH_TIMEOUT (default 90; timings that would
# start after 60 s are skipped and say so), so the whole check stays under 6 minutes. With
# LOG_DIR set, pytest's full log is kept there as gpu-tests.log. Exit status: 0 when the tests
# pass and the benchmarks ran, 1 otherwise (the table is printed either way).
set -uo pipefail
cd "$(dirname "$0")/.."

TEST_TIMEOUT="${TEST_TIMEOUT:-250}"
BENCH_TIMEOUT="${BENCH_TIMEOUT:-90}"
if [ -n "${LOG_DIR:-}" ]; then
    mkdir -p "$LOG_DIR"
    log="$LOG_DIR/gpu-tests.log"
else
    log="$(mktemp "${TMPDIR:-/tmp}/minpy-gpu-check.XXXXXX")"
    trap 'rm -f "$log"' EXIT
fi
workers=()
if python -c "import xdist" 2>/dev/null; then
    workers=(-n "${WORKERS:-8}")
fi

echo "== minpy info" >&2
PYTHONPATH=. python -m minpy.cli info >&2 || true

echo "== tests (MINPY_REQUIRE_GPU=1, at most ${TEST_TIMEOUT}s)" >&2
PYTHONPATH=. MINPY_REQUIRE_GPU=1 timeout "$TEST_TIMEOUT" \
    python -m pytest -q -p no:cacheprovider "${workers[@]}" >"$log" 2>&1
test_rc=$?
if [ "$test_rc" -eq 124 ]; then
    summary="TIMED OUT after ${TEST_TIMEOUT}s"
else
    summary="$(grep -E '(passed|failed|error|skipped|no tests ran)' "$log" | tail -n 1 | tr -d '=' | sed 's/^ *//; s/ *$//')"
    [ -n "$summary" ] || summary="pytest exited with status $test_rc"
fi

echo "== benchmarks (at most ${BENCH_TIMEOUT}s)" >&2
PYTHONPATH=. timeout "$BENCH_TIMEOUT" python bench/bench_gpu.py --budget 0.5 --deadline 60 --tests "$summary"
bench_rc=$?
if [ "$bench_rc" -ne 0 ]; then
    echo "benchmarks failed or timed out (status $bench_rc); tests: $summary"
fi

# NCCL: minpy.distributed's GPU path (one rank; two where the machine has two GPUs)
if python -c "import mpi4py" 2>/dev/null && command -v mpiexec >/dev/null; then
    ngpu="$(python -c "import cupy; print(cupy.cuda.runtime.getDeviceCount())" 2>/dev/null || echo 0)"
    ranks=1
    [ "$ngpu" -ge 2 ] && ranks=1,2
    echo
    echo "== NCCL (bench/bench_distributed.py --device gpu --ranks $ranks)"
    PYTHONPATH=. timeout 120 python bench/bench_distributed.py --device gpu --ranks "$ranks" \
        --reps 20 || echo "NCCL rows failed (status $?)"
else
    echo
    echo "== NCCL: skipped (no mpi4py/mpiexec; pip install \"minpy[mpi]\")"
fi

if [ "$test_rc" -ne 0 ]; then
    echo
    echo "== test failures (from pytest's summary)"
    grep -E '^(FAILED|ERROR)' "$log" | head -n 50 || tail -n 40 "$log"
fi
[ "$test_rc" -eq 0 ] && [ "$bench_rc" -eq 0 ]
