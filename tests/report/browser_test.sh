#!/usr/bin/env bash
# Loads HTML reports in Debian's headless chromium (no network, fresh profile) and asserts what
# the page's self-check wrote into the DOM (#fenceline-selfcheck): no script error, nothing
# fetched, every picture drawn, every violation in view. Screenshots are kept as artefacts in
# $OUT (the build dir) for people to look at.
# usage: browser_test.sh FENCELINE SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 src=$2 out=$3
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "chromium is not installed (scripts/setup.sh installs it)"; exit 1; fi
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --window-size=1400,900 --virtual-time-budget=5000)
fail=0
# name | model | expected verdict | files...
check() {
  local name=$1 model=$2 want=$3; shift 3
  local html="$out/$name.html"
  "$cli" check --model "$model" --format html -o "$html" "$@" 2>/dev/null || true
  local profile; profile=$(mktemp -d)
  local dom
  dom=$(timeout 60 "$browser" "${flags[@]}" --user-data-dir="$profile" --dump-dom "file://$html" 2>/dev/null || true)
  rm -rf "$profile"; profile=$(mktemp -d)
  timeout 60 "$browser" "${flags[@]}" --user-data-dir="$profile" --screenshot="$out/$name.png" "file://$html" >/dev/null 2>&1 || true
  rm -rf "$profile"
  local sc; sc=$(grep -o '<div id="fenceline-selfcheck"[^>]*>' <<<"$dom" || true)
  attr() { sed -n "s/.* data-$1=\"\([^\"]*\)\".*/\1/p" <<<"$sc"; }
  local problems=""
  [ "$(attr done)" = 1 ] || problems+=" the page's script did not finish;"
  [ "$(attr errors)" = 0 ] || problems+=" script errors: $(attr error-text);"
  [ "$(attr resources)" = 0 ] || problems+=" $(attr resources) resources fetched;"
  [ "$(attr pictures)" != 0 ] || problems+=" nothing drawn;"
  if [ "$want" = invalid ]; then
    [ "$(attr focus)" != 0 ] && [ "$(attr focus)" != "" ] || problems+=" no violation drawn;"
    [ "$(attr focus-in-view)" = "$(attr focus)" ] || problems+=" violation not in view ($(attr focus-in-view) of $(attr focus));"
  fi
  grep -q "class='v-$want'" "$html" || problems+=" verdict $want not shown;"
  [ -s "$out/$name.png" ] || problems+=" no screenshot;"
  if [ -n "$problems" ]; then echo "FAIL $name:$problems"; fail=1; else echo "ok   $name ($(wc -c <"$html") bytes, $sc)"; fi
}
h=$src/histories
check lost-cas cas-register invalid "$h/cas-register/invalid/lost-cas.jsonl"
check kv-lost-write kv invalid "$h/kv/invalid/independent-lost-write.edn"
check register-valid register valid "$h/register/valid/concurrent-write-read.jsonl"
check batch cas-register invalid "$h/cas-register/invalid/lost-cas.jsonl" "$h/cas-register/valid/timed-out-write-took-effect.jsonl" /nonexistent.jsonl
check fencing-pause fencing invalid "$h/fencing/invalid/pause-without-fencing.jsonl"
check fencing-valid fencing valid "$h/fencing/valid/pause-with-fencing.jsonl"
check fencing-records fencing invalid "$h/fencing/invalid/pause-with-grant-record.edn"
# 100,000 operations each (issue 12: "usable at 100k operations", a page of a few MB at most):
# a kv history whose last read saw a value never written to its key, and a fencing history of
# 33,333 acquire-write-release cycles and a last write with the token of the fifth, so that
# its violations span the whole history. (%.0f: awk's %d stops at 2^31.)
awk 'BEGIN { t = 0
  for (i = 0; i < 100000; i++) {
    printf "{\"process\":%d,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"k%d\",\"value\":\"v%d\",\"time\":%.0f}\n", i % 50, i % 10, i, t
    printf "{\"process\":%d,\"type\":\"ok\",\"f\":\"put\",\"key\":\"k%d\",\"value\":\"v%d\",\"time\":%.0f}\n", i % 50, i % 10, i, t + 1500000
    t += 1000000 }
  printf "{\"process\":99,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"k3\",\"value\":null,\"time\":%.0f}\n", t
  printf "{\"process\":99,\"type\":\"ok\",\"f\":\"get\",\"key\":\"k3\",\"value\":\"v5\",\"time\":%.0f}\n", t + 1000000 }' > "$out/kv-100k.jsonl"
awk 'BEGIN { t = 0
  for (i = 1; i <= 33333; i++) {
    c = "c" (i % 7)
    printf "{\"process\":\"%s\",\"type\":\"invoke\",\"f\":\"acquire\",\"value\":{\"lock\":\"L\"},\"time\":%.0f}\n", c, t
    printf "{\"process\":\"%s\",\"type\":\"ok\",\"f\":\"acquire\",\"value\":{\"lock\":\"L\",\"token\":%d,\"lease_ms\":1000},\"time\":%.0f}\n", c, i, t + 1000000
    printf "{\"process\":\"%s\",\"type\":\"invoke\",\"f\":\"write\",\"value\":{\"resource\":\"L\",\"token\":%d,\"value\":%d},\"time\":%.0f}\n", c, i, i, t + 2000000
    printf "{\"process\":\"%s\",\"type\":\"ok\",\"f\":\"write\",\"value\":{\"resource\":\"L\",\"token\":%d,\"value\":%d},\"time\":%.0f}\n", c, i, i, t + 3000000
    printf "{\"process\":\"%s\",\"type\":\"invoke\",\"f\":\"release\",\"value\":{\"lock\":\"L\",\"token\":%d},\"time\":%.0f}\n", c, i, t + 4000000
    printf "{\"process\":\"%s\",\"type\":\"ok\",\"f\":\"release\",\"value\":{\"lock\":\"L\",\"token\":%d},\"time\":%.0f}\n", c, i, t + 5000000
    t += 10000000 }
  printf "{\"process\":\"late\",\"type\":\"invoke\",\"f\":\"write\",\"value\":{\"resource\":\"L\",\"token\":5,\"value\":0},\"time\":%.0f}\n", t
  printf "{\"process\":\"late\",\"type\":\"ok\",\"f\":\"write\",\"value\":{\"resource\":\"L\",\"token\":5,\"value\":0},\"time\":%.0f}\n", t + 1000000 }' > "$out/fencing-100k.jsonl"
check kv-100k kv invalid "$out/kv-100k.jsonl"
check fencing-100k fencing invalid "$out/fencing-100k.jsonl"
for name in kv-100k fencing-100k; do
  size=$(wc -c < "$out/$name.html")
  if [ "$size" -gt 3000000 ]; then echo "FAIL $name: the page is $size bytes (at most 3 MB)"; fail=1; fi
done
rm -f "$out/kv-100k.jsonl" "$out/fencing-100k.jsonl"
exit $fail
