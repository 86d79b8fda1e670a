#!/usr/bin/env bash
# output_lines.sh: what a report prints (print, warn) reaches stderr a whole line at a time,
# so two workers rendering at once never put one line inside another. Lua writes a
# warning's pieces one by one; countybrief gathers them and writes the line once.
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

cat >talk.lua <<'LUA'
warn("@on")
doc:title(county.name)
for i = 1, 400 do
  warn("W ", county.id, " ", tostring(i), " ", string.rep("x", 60), " end")
  print("P", county.id, i, string.rep("y", 60), "end")
end
LUA
cb render --report talk.lua --out "$TMP/out" --jobs 2 --no-fsync --quiet
check_eq "two workers talking at once: exit 0" 0 "$RC"
X=$(printf 'x%.0s' $(seq 60)) Y=$(printf 'y%.0s' $(seq 60))
check_eq "every warning line whole (800)" 800 \
    "$(grep -cE "^Lua warning: W 50023[36] [0-9]+ $X end\$" "$TMP/stderr" || true)"
check_eq "every print line whole (800)" 800 \
    "$(grep -cE "^P	50023[36]	[0-9]+	$Y	end\$" "$TMP/stderr" || true)"
check_eq "nothing else on stderr" "" "$(grep -vE '^(Lua warning: W|P	)' "$TMP/stderr" | head -3)"

# a warning longer than the cap: cut at a character, then the newline
cat >long.lua <<'LUA'
warn("@on")
doc:title(county.name)
warn("L ", string.rep("汉", 3000), " tail")
LUA
cb render --report long.lua --county 忠县 --out "$TMP/out-long" --no-fsync --quiet
check_eq "a long warning: exit 0" 0 "$RC"
check_eq "a long warning is one line" 1 "$(wc -l <"$TMP/stderr")"
check "a long warning is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$TMP/stderr" -o /dev/null
finish
