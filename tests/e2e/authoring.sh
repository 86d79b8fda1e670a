#!/usr/bin/env bash
# authoring.sh: the report author's commands: `new report`, needs { ... } with `check`,
# and `render --watch`.
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

# --- new report: renders without edits; refuses to overwrite ---------------------------
cb new report starter
check_eq "new report exits 0" 0 "$RC"
check "new report writes starter/starter.lua" test -f starter/starter.lua
check "new report writes a README" test -f starter/README.md
cb new report starter
check_eq "new report refuses an existing folder (exit 2)" 2 "$RC"
cb render --quiet --report starter/starter.lua --out "$TMP/starter-out"
check_eq "the starter report renders without edits" 0 "$RC"
pdftext "$TMP/starter-out/500233-忠县.pdf" "$TMP/starter.txt"
check "the starter PDF has the title" has_text "$TMP/starter.txt" "忠县简报"
mkdir -p elsewhere
cb new report second --dir elsewhere
check "new report --dir DIR writes DIR/NAME/NAME.lua" test -f elsewhere/second/second.lua

# --- check on the clean example data ---------------------------------------------------
cb check
check_eq "check of the briefing on the example data exits 0" 0 "$RC"
check "check prints a summary line" grep -q "^check: 0 errors" "$TMP/stdout"
cb check --report starter/starter.lua
check_eq "check of the starter report exits 0" 0 "$RC"

# --- needs: a missing column and a wrong type, every one, before any county ---------------
cp -r "$CB_SRC/examples/data" data
cat >needy.lua <<'LUA'
needs {
  projects = { project = "text", budget = "number", area = "number" },
  indicators = { value = "number" },
  nosuch = { x = "text" },
}
doc:title(county.name)
LUA
cb check --report needy.lua --data data
check_eq "check exits 3 when the data lacks what the report needs" 3 "$RC"
check "missing column named with data file and report" \
    grep -qF 'data/projects.csv: no column "budget", report needy.lua needs it (number)' "$TMP/stdout"
check "wrong type named with data file, row, column and report" \
    grep -qF 'data/projects.csv:2:4: column "area" expects a number, got "交通" (report needy.lua needs numbers there)' \
    "$TMP/stdout"
check "missing table named" grep -qF 'data/nosuch.csv: no such file, report needy.lua needs table "nosuch"' "$TMP/stdout"
cb render --report needy.lua --data data --out "$TMP/needy-out"
check_eq "render exits 3 on unmet needs" 3 "$RC"
check "render names every problem" test "$(grep -c 'report needy.lua' "$TMP/stderr")" -ge 3
check "render wrote no PDF" test ! -e "$TMP/needy-out/500233-忠县.pdf"
cat >opt.lua <<'LUA'
needs { nosuch = optional { x = "text" }, projects = { project = "text" } }
doc:title(county.name)
LUA
cb check --report opt.lua --data data
check_eq "an optional missing table is not an error" 0 "$RC"
rm data/towns.csv data/targets.csv
cb check --data data
check_eq "the briefing checks clean without its optional tables" 0 "$RC"

# --- script errors and table overflow -----------------------------------------------------
cat >bad.lua <<'LUA'
doc:title(county.name)
doc:heading("项目")
doc:table { columns = { { title = "名称", width = 1 }, { title = "说明", width = 12 } },
            rows = { { string.rep("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4), "ok" } } }
if county.id == "500236" then
  local x = nil
  return x.field
end
LUA
cb check --report bad.lua
check_eq "check exits 1 on a script error" 1 "$RC"
check "script error named with script:line" grep -qE '^error: 500236 奉节县: bad.lua:7: ' "$TMP/stdout"
check "table overflow named with table and column" \
    grep -qF 'warning: 500233 忠县: table under "项目", column "名称", row 1: "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ' "$TMP/stdout"
check "summary counts errors and warnings" grep -qE '^check: 1 error, 1 warning in 2 counties' "$TMP/stdout"
cat >warnonly.lua <<'LUA'
doc:title(county.name)
doc:table { columns = { { title = "名称", width = 1 }, { title = "说明", width = 12 } },
            rows = { { string.rep("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4), "ok" } } }
LUA
cb check --report warnonly.lua
check_eq "warnings alone: exit 0" 0 "$RC"
check "a table without heading is named by number" grep -qF 'table 1, column "名称"' "$TMP/stdout"

# --- render prints the warnings check reports, without failing -----------------------------
cat >cut.lua <<'LUA'
doc:title(county.name)
doc:heading("项目")
doc:table { columns = { { title = "名称", width = 1 }, { title = "说明", width = 12 } },
            rows = { { string.rep("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4), "ok" } } }
doc:kpis { { value = "1", label = string.rep("非常长的指标说明文字", 12) } }
LUA
cb check --report cut.lua
cp "$TMP/stdout" "$TMP/check.out"
cb render --report cut.lua --out "$TMP/cut" --no-fsync
check_eq "render with layout warnings: exit 0" 0 "$RC"
check "render with layout warnings: both PDFs written" test -f "$TMP/cut/500233-忠县.pdf" -a -f "$TMP/cut/500236-奉节县.pdf"
check_eq "render prints 4 warning lines (2 a county)" 4 "$(grep -c '^countybrief: warning: ' "$TMP/stderr" || true)"
check "render names county and table block, as check does" \
    grep -qF 'countybrief: warning: 500236 奉节县: table under "项目", column "名称", row 1: "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ' "$TMP/stderr"
check "render names county and the cut KPI label" \
    grep -qE '^countybrief: warning: 500233 忠县: KPI label "非常长的指标说明文字.*" shrunk to fit its box$' "$TMP/stderr"
check_same "render's warnings are check's, line for line" \
    "$(sed -n 's/^warning: //p' "$TMP/check.out" | sort)" "$(sed -n 's/^countybrief: warning: //p' "$TMP/stderr" | sort)"
cb render --report cut.lua --out "$TMP/cut2" --no-fsync --quiet
check_eq "--quiet: no warnings printed" "" "$(cat "$TMP/stderr")"

# --- render --watch ------------------------------------------------------------------------
cp starter/starter.lua watched.lua
timeout 60 "$CB" render --watch --report watched.lua --county 忠县 --out "$TMP/w" >"$TMP/watch.log" 2>&1 &
WPID=$!
for _ in $(seq 1 100); do grep -q "^rendered" "$TMP/watch.log" && break; sleep 0.1; done
check "watch renders first" grep -qF "rendered $TMP/w/500233-忠县.pdf in" "$TMP/watch.log"
sum1=$(sha256sum "$TMP/w/500233-忠县.pdf" 2>/dev/null | cut -d' ' -f1)
sleep 0.2
sed -i 's/county.name .. "简报"/county.name .. "周报"/' watched.lua
for _ in $(seq 1 100); do [[ $(grep -c "^rendered" "$TMP/watch.log") -ge 2 ]] && break; sleep 0.1; done
check_eq "watch re-renders after the report changes" 2 "$(grep -c '^rendered' "$TMP/watch.log")"
sum2=$(sha256sum "$TMP/w/500233-忠县.pdf" 2>/dev/null | cut -d' ' -f1)
check "the new PDF differs" test "$sum1" != "$sum2"
pdftext "$TMP/w/500233-忠县.pdf" "$TMP/w.txt"
check "the new PDF has the new title" has_text "$TMP/w.txt" "忠县周报"
kill -INT "$WPID"
WRC=0
wait "$WPID" || WRC=$?
check_eq "watch ends with exit 0 on SIGINT" 0 "$WRC"

# --watch with two formats names both files in its line
timeout 60 "$CB" render --watch --format pdf,ofd --report watched.lua --county 忠县 --out "$TMP/w2" >"$TMP/watch2.log" 2>&1 &
WPID=$!
for _ in $(seq 1 100); do grep -q "^rendered" "$TMP/watch2.log" && break; sleep 0.1; done
check "watch --format pdf,ofd names both files" \
    grep -qF "rendered $TMP/w2/500233-忠县.pdf, $TMP/w2/500233-忠县.ofd in" "$TMP/watch2.log"
kill -INT "$WPID"; wait "$WPID" || true

finish
