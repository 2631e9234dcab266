#!/usr/bin/env bash
# Runs every command of the README's tour ("## A short tour", its ```console blocks) as written,
# from a directory laid out like the repository's root (build/fenceline, build/fenceline-record,
# histories/), and checks what the README shows: each command's exit code (0 unless the line
# ends with "# exit N") and each line of output it lists, which must match a line the command
# printed (standard output or error), where "..." stands for any text and a line of only "..."
# for lines left out.
# Usage: readme_tour.sh README.md FENCELINE [FENCELINE_RECORD]
#   Without FENCELINE_RECORD (the recorder is not built), its commands, and those that read
#   what it recorded, are reported and not run; the test then fails, since the tour is not
#   checked whole.
set -uo pipefail
readme=$1 cli=$2 recorder=${3:-}
src=$(cd "$(dirname "$readme")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/build"
ln -s "$cli" "$work/build/fenceline"
[ -n "$recorder" ] && ln -s "$recorder" "$work/build/fenceline-record"
ln -s "$src/histories" "$work/histories"

# The tour's console blocks, one line each.
mapfile -t lines < <(awk '/^## A short tour/ { t = 1; next } /^## / { t = 0 }
  t && /^```console/ { c = 1; next } t && /^```/ { c = 0; next } t && c' "$readme")
if [ ${#lines[@]} -eq 0 ]; then
  echo "readme_tour: no console block under '## A short tour' in $readme" >&2
  exit 1
fi

failures=0 commands=0
fail() {
  echo "readme_tour: $*" >&2
  failures=$((failures + 1))
}

# An expected line as a bash pattern: glob characters literal, "..." any text.
pattern_of() {
  local p=$1
  p=${p//\\/\\\\}
  p=${p//\*/\\*}
  p=${p//\?/\\?}
  p=${p//\[/\\[}
  p=${p//.../*}
  printf '%s' "$p"
}

# check COMMAND EXPECTED_LINE...: runs it in $work and compares.
check() {
  local cmd=$1
  shift
  commands=$((commands + 1))
  if [ -z "$recorder" ] && [[ "$cmd" == *fenceline-record* ]]; then
    fail "not run (no recorder built): $cmd"
    return
  fi
  local want=0
  if [[ "$cmd" =~ \#\ exit\ ([0-9]+)$ ]]; then want=${BASH_REMATCH[1]}; fi
  local out rc
  out=$(cd "$work" && bash -c "$cmd" 2>&1)
  rc=$?
  [ "$rc" -eq "$want" ] || fail "exit $rc, the README says $want: $cmd"$'\n'"$out"
  local -a got
  mapfile -t got <<< "$out"
  local line p g found
  for line in "$@"; do
    [ "$line" = "..." ] && continue
    p=$(pattern_of "$line")
    found=0
    for g in "${got[@]}"; do
      # shellcheck disable=SC2053
      if [[ "$g" == $p ]]; then found=1; break; fi
    done
    [ $found = 1 ] || fail "$cmd"$'\n'"  the README shows: $line"$'\n'"  not printed; it printed:"$'\n'"$out"
  done
}

cmd="" expected=()
for l in "${lines[@]}"; do
  if [[ "$l" == '$ '* ]]; then
    [ -n "$cmd" ] && check "$cmd" "${expected[@]}"
    cmd=${l#\$ } expected=()
  elif [ -n "$cmd" ]; then
    [ -n "$l" ] && expected+=("$l")
  fi
done
[ -n "$cmd" ] && check "$cmd" "${expected[@]}"

echo "readme_tour: $commands commands, $failures problem(s)"
[ "$failures" -eq 0 ]
