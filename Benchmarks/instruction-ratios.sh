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
printf '%-7s %15s %15s %8s\n' payload "Zibri (a)" "JSONDecoder (b)" "a / b"
for row in "small 200" "medium 100" "large 2"; do
  set -- $row
  a=$(per_iteration "$(printf '%-6s' "$1") .a." "$2")
  b=$(per_iteration "$(printf '%-6s' "$1") .b." "$2")
  printf '%-7s %15s %15s %8s\n' "$1" "$a" "$b" "$(python3 -c "print(f'{$a / $b:.2f}')")"
done
printf '\n%-7s %15s %15s %8s\n' payload "Zibri (c)" "JSONEncoder (d)" "c / d"
for row in "small 200" "medium 100" "large 2"; do
  set -- $row
  c=$(per_iteration "$(printf '%-6s' "$1") .c." "$2")
  d=$(per_iteration "$(printf '%-6s' "$1") .d." "$2")
  printf '%-7s %15s %15s %8s\n' "$1" "$c" "$d" "$(python3 -c "print(f'{$c / $d:.2f}')")"
done
