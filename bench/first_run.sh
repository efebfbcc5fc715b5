#!/bin/bash
# Issue 17's first-run comparison, one after the other on the same machine: the demo's whole first run
# (fresh var-demo, offline) and the plain sentence-transformers pipeline's embedding of the same releases.
#   bash bench/first_run.sh [WORK_DIR]     (from the repository root; WORK_DIR default /tmp/thaigov-first-run)
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/thaigov-first-run}
export HF_HUB_OFFLINE=1 PYTHONPATH="$REPO"
mkdir -p "$WORK" && cd "$WORK" && rm -rf var-demo
uptime
/usr/bin/time -v python3 -m thaigov_app demo "When was the Huawei MOU signed?" > demo.out 2> demo.err
echo "demo rc=$?"; grep -E "Elapsed|User time|System time|Percent of CPU" demo.err
uptime
cd "$REPO" && /usr/bin/time -v python3 bench/plain_pipeline.py --json > "$WORK/plain.out" 2> "$WORK/plain.err"
echo "plain rc=$?"; cat "$WORK/plain.out"; grep -E "Elapsed|User time|System time|Percent of CPU" "$WORK/plain.err"
uptime
# Lines on the demo's standard error that are not progress bars (the issue's bar: at most 5):
sed '/Command being timed/,$d' "$WORK/demo.err" | tr '\r' '\n' | grep -v '%|\|it/s]\|s/it]' | grep -cv '^\s*$'
