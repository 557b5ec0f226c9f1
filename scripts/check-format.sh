#!/usr/bin/env bash
# Checks that the Swift sources are formatted by .swift-format; `--fix` rewrites them.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests)
[ -d Benchmarks ] && paths+=(Benchmarks/Package.swift Benchmarks/Sources)
[ -d Fuzz ] && paths+=(Fuzz/Package.swift Fuzz/Sources)
if [ "${1:-}" = "--fix" ]; then
  swift format format --in-place --recursive --parallel "${paths[@]}"
  exit 0
fi
swift format lint --strict --recursive --parallel "${paths[@]}"
echo "format: ok"
