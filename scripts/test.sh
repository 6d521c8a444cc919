#!/usr/bin/env bash
# Install everything the tests need into .venv and run the linter, the import contracts and the whole suite.
# pytest exits 5 when it collected no test: that is a failure here, never a green run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache  # who may import whom: [tool.importlinter] in pyproject.toml
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing on purpose" >&2
  exit 1
fi
exit "$status"
