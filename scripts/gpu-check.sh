#!/usr/bin/env bash
# The GPU proof: run on a machine with a CUDA device, from anywhere in the repo.
#   bash scripts/gpu-check.sh
# It installs what is missing (where a package index can be reached), runs the gpu-marked
# tests, grades the reference on cuda in child processes, and prints scores and per-level
# times on cuda beside cpu.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
$PY -c "import torch, numpy, rich, pytest" 2>/dev/null || $PY -m pip install --quiet torch numpy rich pytest
echo "== machine"
nvidia-smi -L 2>/dev/null || echo "nvidia-smi: not found"
$PY -c "import sys, torch; print('python', sys.version.split()[0], '| torch', torch.__version__, '| cuda available:', torch.cuda.is_available())"
echo "== gpu tests"
$PY -m pytest tests/test_gpu.py -m gpu -q -p no:cacheprovider -o addopts="" 2>&1 | tail -15
echo "== grade solutions --device cuda (in the sandbox)"
$PY -m autograder grade solutions --device cuda --json > /tmp/gpu-grade.json 2>/tmp/gpu-grade.err
$PY - <<'PYEOF'
import json
try:
    report = json.load(open("/tmp/gpu-grade.json"))
except Exception as exc:
    print("no report:", exc, open("/tmp/gpu-grade.err").read()[-2000:])
else:
    print("device", report["device"], "score", report["score"], "/", report["max_score"],
          "levels", [lvl["score"] for lvl in report["levels"]])
    for check in report["checks"]:
        if not check["passed"]:
            print("  FAIL", check["id"], check["message"][:300])
PYEOF
echo "== scores and times, cuda beside cpu (in-process)"
$PY scripts/gpu_report.py
