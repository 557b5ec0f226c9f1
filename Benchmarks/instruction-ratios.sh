#!/usr/bin/env bash
# Instruction counts per iteration under callgrind: repeatable whatever else the machine does,
# unlike wall time. Usage: Benchmarks/instruction-ratios.sh
# Prints, for each payload, Zibri's instructions, JSONDecoder's, and the ratio; then the same for
# encoding (Zibri's StreamingJSONEncoder against JSONEncoder).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --package-path Benchmarks --product ValidationBenchmark >/dev/null
binary=$(mktemp)
trap 'rm -f "$binary" "$binary.out"' EXIT
# valgrind cannot read the Swift debug information; a stripped copy runs the same code.
cp Benchmarks/.build/release/ValidationBenchmark "$binary"
strip "$binary"
chmod +x "$binary"
count() { # filter iterations → total instructions
  valgrind --tool=callgrind --callgrind-out-file="$binary.out" "$binary" --filter "$1" --iterations "$2" \
    --warmup-iterations 0 2>&1 >/dev/null | awk '/Collected/ {print $NF}'
}
per_iteration() { # filter iterations: the difference between n+1 runs and 1 run removes set-up
  local one more
  one=$(count "$1" 1)
  more=$(count "$1" $(($2 + 1)))
  echo $(((more - one) / $2))
}
compare() { # zibri-label baseline-label baseline-name: one table of per-iteration counts
  local payload iterations zibri baseline
  printf '%-7s %15s %15s %8s\n' payload "Zibri ($1)" "$3 ($2)" "$1 / $2"
  for row in "small 200" "medium 100" "large 2"; do
    read -r payload iterations <<<"$row"
    zibri=$(per_iteration "$(printf '%-6s' "$payload") .$1." "$iterations")
    baseline=$(per_iteration "$(printf '%-6s' "$payload") .$2." "$iterations")
    printf '%-7s %15s %15s %8s\n' "$payload" "$zibri" "$baseline" \
      "$(python3 -c "print(f'{$zibri / $baseline:.2f}')")"
  done
}
compare a b JSONDecoder
echo
compare c d JSONEncoder
