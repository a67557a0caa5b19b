#!/bin/sh
# Fetch the BIG-bench sdist (bigbench==1.0.0, 358 MB) into $SKINTERN_CACHE_DIR/downloads (default
# ~/.cache/skintern) and cache the BB-sub and StrategyQA questions the loaders read.
# Idempotent: an existing sdist or cache is kept. Usage: [PYTHON=.venv/bin/python] sh scripts/fetch_bigbench.sh [--seed N]
set -eu
PYTHON="${PYTHON:-.venv/bin/python}"
exec "$PYTHON" -c 'import sys; from skintern.data.loaders.bigbench import main; sys.exit(main(sys.argv[1:]))' "$@"
