#!/usr/bin/env bash
# The generated types as a user's package gets them: Tests/GeneratedTypesPackage builds its
# spec's types with the ZibriGenerator plugin (warnings as errors) and its tests serve them.
# Then a spec error must fail that package's build with the diagnostic at the spec's
# file:line:column, as SwiftPM and Xcode show build errors.
set -euo pipefail
cd "$(dirname "$0")/.."
package=Tests/GeneratedTypesPackage
spec="$PWD/$package/Sources/Shop/shop.zibri.yaml"

swift test --package-path "$package"

backup=$(mktemp)
log=$(mktemp)
cp "$spec" "$backup"
trap 'cp "$backup" "$spec"; rm -f "$backup" "$log"' EXIT
sed -i 's/stars: { type: integer,/stars: { type: integr,/' "$spec"
line=$(grep -n 'type: integr,' "$spec" | cut -d: -f1)
column=$(( $(sed -n "${line}p" "$spec" | awk '{ print index($0, "integr,") }') ))
if swift build --package-path "$package" > "$log" 2>&1; then
  echo "generated types: the build passed with an unknown type in the spec"
  exit 1
fi
expected="$spec:$line:$column: error: unknown type 'integr'"
if ! grep -qF "$expected" "$log"; then
  echo "generated types: the failed build did not say: $expected"
  tail -30 "$log"
  exit 1
fi
echo "generated types: a spec error fails the build at $(basename "$spec"):$line:$column"
