#!/usr/bin/env bash
# Fuzzes the spec pipeline `zibri lint` runs (load, lint, compile) with libFuzzer and
# AddressSanitizer: any bytes as a spec file must get diagnostics that point inside the file,
# never a crash, a hang (over 10 s for one input) or runaway memory (over 2 GB).
#
#   scripts/fuzz-spec.sh [seconds=300] [jobs=1]
#
# Seeds: the valid and invalid corpus specs and the chat spec; the dictionary: every key of
# the spec format (from schemas/zibri-spec.schema.json) and YAML's own tokens. Findings are
# written to .build-fuzz/findings (crash-*, leak-*, timeout-*, oom-*); replay one with
#   .build-fuzz/release/SpecFuzzer FILE
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
jobs=${2:-1}

# -sanitize=fuzzer would link libFuzzer's own main, which SwiftPM's renamed entry point cannot
# coexist with; instrument for coverage and link the runtime without its main instead (our
# main starts LLVMFuzzerRunDriver).
runtime=$(ls /opt/swift/usr/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1 || true)
if [[ -z "$runtime" ]]; then
  runtime=$(find "$(dirname "$(dirname "$(command -v swiftc)")")" -name 'libclang_rt.fuzzer_no_main-*.a' | head -1)
fi
mkdir -p .build-fuzz
if ! swift build -c release --package-path Fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
  -Xlinker "$runtime" -Xlinker -lstdc++ > .build-fuzz/build.log 2>&1; then
  # The linker warns about every sanitizer symbol it cannot export; the rest is the news.
  grep -v 'Cannot export local symbol' .build-fuzz/build.log | tail -40
  exit 1
fi

work=.build-fuzz/work
mkdir -p "$work/corpus" .build-fuzz/findings
cp Tests/ZibriSchemaTests/Corpus/valid/*.yaml Tests/ZibriSchemaTests/Corpus/invalid/*.yaml "$work/corpus/"
python3 - schemas/zibri-spec.schema.json > "$work/spec.dict" <<'PY'
import json, sys
keys = set()
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                keys.update(value)
            walk(value)
    elif isinstance(node, list):
        for item in node:
            walk(item)
walk(json.load(open(sys.argv[1])))
def entry(token):  # libFuzzer's dictionary syntax: printable ASCII, \\, \" and \xAB
    return '"' + "".join(c if 32 <= ord(c) < 127 and c not in '\\"' else "\\x%02x" % ord(c) for c in token) + '"'
tokens = sorted(keys) + ["string", "integer", "number", "boolean", "date", "array", "object", "any",
                         "GET", "POST", "{roomId}", "room:{id}", "5s", "true", "null", "~"]
tokens += [": ", "- ", "? ", "&a ", "*a", "!!str ", "[", "]", "{", "}", "---", "|\n", ">-\n", "\"", "'", "\t", "\r"]
for token in tokens:
    print(entry(token))
PY

export SWIFT_BACKTRACE=enable=no  # let AddressSanitizer and libFuzzer report crashes
parallel=()
if ((jobs > 1)); then parallel=(-jobs="$jobs" -workers="$jobs"); fi
exec .build-fuzz/release/SpecFuzzer "$work/corpus" -dict="$work/spec.dict" "${parallel[@]}" \
  -artifact_prefix=.build-fuzz/findings/ -max_total_time="$seconds" \
  -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1
