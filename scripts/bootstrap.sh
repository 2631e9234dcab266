#!/usr/bin/env bash
# The README's first command: installs the dependencies (apt), builds, and checks a bundled
# history that holds a real violation, printing the report. Exit code 0 when that went as
# expected (the violation was found).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
sample=histories/cas-register/invalid/lost-cas.jsonl
echo "== fenceline check --model cas-register $sample"
set +e
build/fenceline check --model cas-register "$sample"
code=$?
set -e
echo "== exit code $code (1: a violation was found, as expected for this sample)"
[ "$code" -eq 1 ]
