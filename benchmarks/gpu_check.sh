#!/usr/bin/env bash
# The GPU check of issue 9, for a session lent a GPU machine, in one go:
#
#     bash benchmarks/gpu_check.sh            # from the repository root, on the GPU machine
#
# It installs nothing: it uses the machine's Python (PYTHON, default python3), which must
# import cupy and a CUDA torch already; zerograd comes from ./src. The tests need pytest and
# hypothesis too: where that Python lacks them, put them in a folder (pip install --target
# .gpu_pydeps pytest hypothesis, on the session's machine) and carry it along; PYTHONPATH
# picks it up. Steps, each with its own time limit so that one slow step cannot eat the rest
# (the tests run with the fake CuPy off, and a missing GPU is an error, not a skip):
#   1. environment (GPU, driver, versions);
#   2. device semantics on the real GPU (tests/gpu/test_devices.py, test_training_on_gpu.py,
#      test_gpu_bench.py);
#   3. the GPU benchmark (benchmarks/gpu_bench.py: zerograd-on-CuPy vs PyTorch-CUDA);
#   4. the op_db sweeps: every op's forward/VJP/JVP on cuda vs cpu (tests/gpu/
#      test_op_db_device.py) and the device-parametrised oracle (tests/oracle/test_forward.py,
#      the 'cuda' cases, against torch).
# It writes gpu_report.md (the summary to quote), gpu_tests_*.log, gpu_bench.txt and
# gpu_bench.log into REPORT_DIR: $OUT where the device tool provides it, else
# benchmarks/results. The exit status is 0 when every step passed.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
DIR=${REPORT_DIR:-${OUT:-benchmarks/results}}
# seconds per step; the defaults add up to 540, under the device tool's 600 s per command
SEM_LIMIT=${SEM_LIMIT:-90} BENCH_LIMIT=${BENCH_LIMIT:-180}
OPDB_LIMIT=${OPDB_LIMIT:-150} ORACLE_LIMIT=${ORACLE_LIMIT:-120}
mkdir -p "$DIR"
REPORT="$DIR/gpu_report.md"
export PYTHONPATH="$PWD/src:$PWD/.gpu_pydeps${PYTHONPATH:+:$PYTHONPATH}"
export ZEROGRAD_FAKE_CUDA=0 ZEROGRAD_REQUIRE_CUDA=1
if [ "${DRY_RUN:-0}" = 1 ]; then  # rehearse on a machine without a GPU: tests on the fake CuPy
  export ZEROGRAD_FAKE_CUDA=1 ZEROGRAD_REQUIRE_CUDA=0
fi

{
  echo "# zerograd GPU check ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo '```'
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -4
  "$PY" - <<'EOF' 2>&1
import platform
print("python", platform.python_version())
for name in ("numpy", "cupy", "torch", "pytest", "hypothesis"):
    try:
        mod = __import__(name)
        print(name, mod.__version__)
    except Exception as e:  # noqa: BLE001
        print(name, "MISSING:", type(e).__name__, e)
import torch
import zerograd
print("torch.cuda:", torch.cuda.is_available(), torch.version.cuda,
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
print("zerograd.cuda:", zerograd.cuda.is_available(), zerograd.cuda.device_count(),
      zerograd.cuda.get_device_name() if zerograd.cuda.is_available() else "")
EOF
  echo '```'
} > "$REPORT"

run_tests() {  # title, limit, pytest arguments...
  local title=$1 limit=$2 log="$DIR/gpu_tests_$3.log" start rc summary
  shift 3
  start=$(date +%s)
  timeout "$limit" "$PY" -m pytest -p no:cacheprovider -W ignore --maxfail=30 -rfE "$@" \
    > "$log" 2>&1
  rc=$?
  {
    echo "## $title"
    echo
    echo "\`pytest $*\`: exit status $rc after $(( $(date +%s) - start )) s" \
      "(124: stopped at the $limit s limit)"
    echo '```'
    summary=$(grep -E "passed|failed|error|skipped|no tests ran" "$log" | tail -2)
    if [ -n "$summary" ]; then echo "$summary"; else tail -5 "$log"; fi
    grep -E "^(FAILED|ERROR) " "$log" | head -30
    echo '```'
  } >> "$REPORT"
  return $rc
}

# Semantics first (quick), then the benchmark, then the op_db-wide sweeps, which compile the
# most CuPy kernels: a first run on a fresh machine spends most of its time there.
run_tests "Device semantics on the GPU" "$SEM_LIMIT" semantics \
  tests/gpu/test_devices.py tests/gpu/test_training_on_gpu.py tests/gpu/test_gpu_bench.py
rc1=$?

timeout "$BENCH_LIMIT" "$PY" -m benchmarks.gpu_bench --out "$DIR/gpu_bench.txt" \
  > "$DIR/gpu_bench.log" 2>&1
brc=$?
{
  echo "## Benchmark (zerograd on CuPy vs PyTorch on CUDA)"
  echo
  echo "exit status $brc (124: stopped at the $BENCH_LIMIT s limit)"
  echo '```'
  if [ -s "$DIR/gpu_bench.txt" ]; then cat "$DIR/gpu_bench.txt"; else tail -20 "$DIR/gpu_bench.log"; fi
  echo '```'
} >> "$REPORT"

run_tests "op_db on the GPU: forward, VJP, JVP equal to the CPU's" "$OPDB_LIMIT" opdb \
  tests/gpu/test_op_db_device.py
rc2=$?
run_tests "op_db oracle (the device-parametrised 'cuda' cases vs torch)" "$ORACLE_LIMIT" oracle \
  tests/oracle/test_forward.py -k cuda
rc3=$?

cat "$REPORT"
[ "$rc1" -eq 0 ] && [ "$brc" -eq 0 ] && [ "$rc2" -eq 0 ] && [ "$rc3" -eq 0 ]
