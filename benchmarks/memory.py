"""Peak memory (RSS) of a 20-step mlp_step run: zerograd vs PyTorch vs hand-written NumPy.

RSS belongs to a whole process, so each implementation runs in a fresh Python process that
imports only what it needs. We report the peak RSS of the process and how much it grew during
the 20 steps (peak minus the RSS after imports and set-up), which is what the framework itself
adds on top of the data.
"""

from __future__ import annotations

import json
import subprocess
import sys

_CHILD = r"""
import json, sys
which = sys.argv[1]
def status_mb(field):
    # VmHWM, the peak, belongs to this address space, which starts fresh at exec; ru_maxrss
    # would also count the parent process's memory from before the fork.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
if which == "numpy":
    from benchmarks import numpy_ref
    step, _ = numpy_ref.mlp_step()
else:
    mod = __import__(which)
    from benchmarks import workloads
    step, _ = workloads.mlp_step(mod)
base = status_mb("VmRSS")
for _ in range(20):
    step()
peak = status_mb("VmHWM")
print(json.dumps({"base": base, "peak": peak}))
"""


def measure(which: str) -> dict[str, float] | None:
    """Run 20 MLP steps in a child process; None if that framework is not installed."""
    p = subprocess.run([sys.executable, "-c", _CHILD, which], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def report() -> str:
    """The memory table as text."""
    rows = {w: measure(w) for w in ("zerograd", "torch", "numpy")}
    out = ["peak memory, 20 x mlp_step   peak RSS (MB)   growth during the steps (MB)"]
    for w, r in rows.items():
        if r is None:
            out.append(f"  {w:28} not available")
            continue
        out.append(f"  {w:28} {r['peak']:13.1f}   {r['peak'] - r['base']:10.1f}")
    z, n = rows.get("zerograd"), rows.get("numpy")
    if z and n and n["peak"] - n["base"] > 0:
        ratio = (z["peak"] - z["base"]) / (n["peak"] - n["base"])
        out.append(f"  growth zerograd / numpy: {ratio:.2f}")
    return "\n".join(out)


if __name__ == "__main__":
    print(report())
