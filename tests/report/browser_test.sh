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
exit $fail
