#!/usr/bin/env bash
# sqlite.sh: the promise of the sqlite data source (plugins/sqlite). If the example data
# folder is converted into an SQLite database with the sqlite3 shell's `.import --csv`, as
# all-TEXT tables or with INTEGER/REAL/NULL values, then `--data sqlite:DB` renders
# briefings whose text is identical to the ones from the CSV folder. Under this promise:
# - `list` names the same counties.
# - The extension `.sqlite` alone selects the plugin.
# - Rows come in rowid order, or in primary-key order for a WITHOUT ROWID table.
# - A view is a table that a report can use (the plugin's query mechanism).
# - The database is never written.
# - Each bad input exits with status 3 and prints one stderr line that names the file, and
#   for a bad value also the table, row and column.
# Needs the sqlite3 command-line shell (Debian package sqlite3).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

if ! command -v sqlite3 >/dev/null; then
    printf "FAIL - required tool 'sqlite3' is not installed (Debian package sqlite3)\n0 passed, 1 failed\n"
    exit 1
fi

DATA=$CB_SRC/examples/data
DB=$TMP/figures.db

# --- the plugin is there ----------------------------------------------------------------
cb plugins
if grep -qE '^ +source +sqlite +\(--data sqlite:PATH or --data FILE\.sqlite\)' "$TMP/stdout"; then
    ok "countybrief plugins lists the sqlite source (scheme sqlite:, extension .sqlite)"
else
    not_ok "countybrief plugins lists the sqlite source" "$(cat "$TMP/stdout" "$TMP/stderr")"
    finish || exit 1
fi

# --- the example data as an SQLite database: every CSV, schema.csv too, all TEXT ---------
# csv_to_db DIR DB: one table per DIR/*.csv, named after the file
csv_to_db() {
    local f
    for f in "$1"/*.csv; do
        printf '.import --csv "%s" "%s"\n' "$f" "$(basename "$f" .csv)"
    done | sqlite3 -bail "$2"
}
if ! out=$(csv_to_db "$DATA" "$DB" 2>&1); then
    not_ok "sqlite3 .import --csv converts examples/data" "$out"
    finish || exit 1
fi
ncsv=$(find "$DATA" -maxdepth 1 -name '*.csv' | wc -l)
check_eq "the database has one table per CSV file, schema included" \
    "$ncsv 1" "$(sqlite3 "$DB" "SELECT count(*), sum(name = 'schema') FROM sqlite_schema WHERE type = 'table'" | tr '|' ' ')"
check_eq "projects: 30 rows, all TEXT" "30 text" \
    "$(sqlite3 "$DB" "SELECT count(*), group_concat(DISTINCT typeof(amount)) FROM projects" | tr '|' ' ')"

# The same data with real types: counties' ids and the schema's number columns as
# INTEGER/REAL, empty cells as NULL (CREATE TABLE AS keeps the values' storage classes).
TYPED=$TMP/typed.db
typed_ok=1
for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"); do
    if [[ $t == schema ]]; then
        exprs="*"
    else
        exprs=$(sqlite3 "$DB" "SELECT group_concat(CASE WHEN p.name = 'county_id' OR s.type = 'number'
              THEN printf('CASE WHEN \"%w\" = '''' THEN NULL ELSE \"%w\" + 0 END AS \"%w\"', p.name, p.name, p.name)
              ELSE printf('nullif(\"%w\", '''') AS \"%w\"', p.name, p.name) END, ', ')
            FROM pragma_table_info('$t') p
            LEFT JOIN schema s ON s.\"table\" = '$t' AND s.\"column\" = p.name")
    fi
    sqlite3 -bail "$TYPED" "ATTACH '$DB' AS src; CREATE TABLE \"$t\" AS SELECT $exprs FROM src.\"$t\" ORDER BY rowid" ||
        typed_ok=0
done
if [[ $typed_ok == 1 ]]; then ok "typed copy of the database made"; else not_ok "typed copy of the database made"; fi
check_eq "typed copy: county_id INTEGER, amount INTEGER or NULL" "integer / integer null" \
    "$(sqlite3 "$TYPED" "SELECT DISTINCT typeof(county_id) FROM projects ORDER BY 1" | tr '\n' ' ')/ $(
       sqlite3 "$TYPED" "SELECT DISTINCT typeof(amount) FROM projects ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
check_eq "typed copy: works.quantity 16.47 is REAL" "real" \
    "$(sqlite3 "$TYPED" "SELECT typeof(quantity) FROM works WHERE quantity = 16.47")"

sum_before=$(cksum <"$DB")

# --- the key promise: the same briefings as from the CSV folder --------------------------
render_from() { # NAME DATA OUTDIR
    if "$CB" render --quiet --data "$2" --out "$3" >"$TMP/render.log" 2>&1; then
        ok "$1: render succeeds"
    else
        not_ok "$1: render succeeds" "$(cat "$TMP/render.log")"
    fi
}
render_from "CSV folder" "$DATA" "$TMP/from-csv"
render_from "sqlite:DB" "sqlite:$DB" "$TMP/from-db"
render_from "sqlite:typed DB" "sqlite:$TYPED" "$TMP/from-typed"

# pdfs DIR: the PDF files in DIR, sorted, on one line (other files, a manifest, say, aside)
pdfs() { find "$1" -maxdepth 1 -name '*.pdf' -printf '%f\n' | sort | tr '\n' ' '; }
files=$(pdfs "$TMP/from-csv")
check_eq "CSV folder: two PDF briefings" "500233-忠县.pdf 500236-奉节县.pdf " "$files"
# same_text NAME DIR: every PDF of from-csv has a twin in DIR with identical pdftotext output
same_text() {
    local name=$1 dir=$2 f
    check_same "$name: the same files as from the CSV folder" "$files" "$(pdfs "$dir")"
    for f in "$TMP"/from-csv/*.pdf; do
        f=$(basename "$f")
        pdftext -layout "$TMP/from-csv/$f" "$TMP/a.txt"
        pdftext -layout "$dir/$f" "$TMP/b.txt"
        if [[ -s $TMP/a.txt ]] && cmp -s "$TMP/a.txt" "$TMP/b.txt"; then
            ok "$name: $f has the same text as from the CSV folder"
        else
            not_ok "$name: $f has the same text as from the CSV folder" \
                "$(diff "$TMP/a.txt" "$TMP/b.txt" 2>&1 | head -n 20)"
        fi
    done
}
same_text "sqlite:DB" "$TMP/from-db"
same_text "sqlite:typed DB" "$TMP/from-typed"

# --- list, and the extension -------------------------------------------------------------
cb list --data "$DATA"
csv_list=$(cat "$TMP/stdout")
cb list --data "sqlite:$DB"
check_eq "list --data sqlite:DB: exit status 0" 0 "$RC"
check_eq "list --data sqlite:DB names both counties" "500233 忠县 500236 奉节县" \
    "$(cut -f1,2 "$TMP/stdout" | tr '\t\n' '  ' | sed 's/ $//')"
check_same "list --data sqlite:DB is the same as from the CSV folder" "$csv_list" "$(cat "$TMP/stdout")"
cb list --data "sqlite:$TYPED"
check_same "list --data sqlite:typed DB (INTEGER county_id) is the same" "$csv_list" "$(cat "$TMP/stdout")"

cp "$DB" "$TMP/figures.sqlite"
cb list --data "$TMP/figures.sqlite"
check_same "list --data FILE.sqlite (no scheme) is the same" "$csv_list" "$(cat "$TMP/stdout")"

# a file name that is not URI-safe: space, '#', '%' and Chinese
mkdir -p "$TMP/数据 #1"
cp "$DB" "$TMP/数据 #1/数 据#%20.db"
cb list --data "sqlite:$TMP/数据 #1/数 据#%20.db"
check_same "list --data sqlite:PATH with a space, '#', '%' and Chinese in the path" "$csv_list" "$(cat "$TMP/stdout")"

# --- row order: rowid, or the primary key of a WITHOUT ROWID table ------------------------
ORDER=$TMP/order.db
sqlite3 "$ORDER" "CREATE TABLE counties(county_id TEXT, name TEXT);
    INSERT INTO counties(rowid, county_id, name) VALUES (20, '2', '乙县'), (10, '1', '甲县');"
cb list --data "sqlite:$ORDER"
check_eq "rows come in rowid order, not insertion order" "1 2" "$(cut -f1 "$TMP/stdout" | tr '\n' ' ' | sed 's/ $//')"
ORDER=$TMP/order-pk.db
sqlite3 "$ORDER" "CREATE TABLE counties(county_id TEXT PRIMARY KEY, name TEXT) WITHOUT ROWID;
    INSERT INTO counties VALUES ('9', '壬县'), ('3', '丙县');"
cb list --data "sqlite:$ORDER"
check_eq "a WITHOUT ROWID table comes in primary-key order" "3 9" "$(cut -f1 "$TMP/stdout" | tr '\n' ' ' | sed 's/ $//')"

# --- a view is a table: the query mechanism -----------------------------------------------
VIEWDB=$TMP/view.db
cp "$DB" "$VIEWDB"
sqlite3 "$VIEWDB" "CREATE VIEW funded_projects AS
    SELECT county_id, project, amount FROM projects
    WHERE amount <> '' ORDER BY CAST(amount AS REAL) DESC, project"
cat >"$TMP/funded.lua" <<'EOF'
-- funded.lua: the projects with an amount, from the view funded_projects
doc:title(county.name .. "有金额的援建项目")
doc:heading("有金额的项目")
for _, p in ipairs(data.funded_projects) do
  doc:paragraph(p.project .. "：" .. fmt.yuan(p.amount))
end
doc:paragraph(string.format("共%d项（全部项目%d项）。", #data.funded_projects, #data.projects))
EOF
if "$CB" render --quiet --data "sqlite:$VIEWDB" --report "$TMP/funded.lua" --out "$TMP/funded" \
    >"$TMP/render.log" 2>&1; then
    ok "a report reading the view funded_projects renders"
else
    not_ok "a report reading the view funded_projects renders" "$(cat "$TMP/render.log")"
fi
for id in 500233 500236; do
    pdf=$(find "$TMP/funded" -name "$id-*.pdf" 2>/dev/null | head -n 1)
    pdftext "${pdf:-/nonexistent}" "$TMP/funded-$id.txt" || true
    txt=$(tr -d ' \n' <"$TMP/funded-$id.txt" 2>/dev/null || true)
    # what the view should give, computed by sqlite3 itself
    nfunded=$(sqlite3 "$VIEWDB" "SELECT count(*) FROM funded_projects WHERE county_id = '$id'")
    nall=$(sqlite3 "$VIEWDB" "SELECT count(*) FROM projects WHERE county_id = '$id'")
    if [[ $txt == *"共${nfunded}项（全部项目${nall}项）"* ]]; then
        ok "$id: the view gives the $nfunded projects with an amount (of $nall)"
    else
        not_ok "$id: the view gives the $nfunded projects with an amount (of $nall)" "$txt"
    fi
    bad=""
    while IFS= read -r project; do
        [[ $txt == *"$project："* ]] || bad+="missing '$project'; "
    done < <(sqlite3 "$VIEWDB" "SELECT project FROM funded_projects WHERE county_id = '$id'")
    while IFS= read -r project; do
        [[ $txt != *"$project："* ]] || bad+="unfunded '$project' listed; "
    done < <(sqlite3 "$VIEWDB" "SELECT project FROM projects WHERE county_id = '$id' AND amount = ''")
    if [[ -z $bad ]]; then ok "$id: exactly the funded projects are listed"; else
        not_ok "$id: exactly the funded projects are listed" "$bad"; fi
done
# the amounts are numbers (typed by inference) and the view's ORDER BY is kept
check_eq "500233: the view's rows in its ORDER BY, amounts formatted as money" \
    "忠文化展览馆：300万元马灌迎宾湖整治工程：300万元" \
    "$(tr -d ' \n' <"$TMP/funded-500233.txt" | grep -oE '忠文化展览馆：[^马]*马灌迎宾湖整治工程：[0-9.]+万元' || true)"

# --- read-only: the database is never written --------------------------------------------
check_eq "the database file is unchanged after every run" "$sum_before" "$(cksum <"$DB")"
left=""
for f in "$DB"-journal "$DB"-wal "$DB"-shm; do [[ ! -e $f ]] || left+="$(basename "$f") "; done
check_eq "no journal, WAL or shared-memory file next to the database" "" "$left"

# --- bad input: exit 3, one line on stderr naming the place, no PDF ----------------------
# expect NAME REGEX -- ARGS...: `countybrief ARGS...` exits 3, stderr is one line matching
# REGEX (grep -E), and the output folder $TMP/bad stays empty
expect() {
    local name=$1 regex=$2
    shift 3
    rm -rf "$TMP/bad" && mkdir "$TMP/bad"
    cb "$@" --out "$TMP/bad"
    check_eq "$name: exit status 3" 3 "$RC"
    local lines n
    lines=$(grep -Ev '^[0-9]+ rendered, [0-9]+ failed in ' "$TMP/stderr" || true)
    n=$(printf '%s' "$lines" | grep -c . || true)
    if [[ $n -eq 1 ]] && grep -qE -- "$regex" <<<"$lines"; then
        ok "$name: one line on stderr matching /$regex/"
    else
        not_ok "$name: one line on stderr matching /$regex/" "$(cat "$TMP/stderr")"
    fi
    check_eq "$name: no file in the output folder" "" "$(ls -A "$TMP/bad")"
}
# re TEXT: TEXT as a grep -E pattern that matches it literally
# shellcheck disable=SC2001
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }

expect "missing database file" "$(re "$TMP/nope.db"): no such database file" -- \
    render --data "sqlite:$TMP/nope.db"
cb list --data "sqlite:$TMP/nope.db"
check_eq "list with a missing database file: exit status 3" 3 "$RC"
expect "missing .sqlite file" "$(re "$TMP/nope.sqlite"): no such database file" -- \
    render --data "$TMP/nope.sqlite"

printf 'county_id,name\n500233,忠县\n' >"$TMP/notdb.db"
expect "not a database" "$(re "$TMP/notdb.db"): not an SQLite database" -- \
    render --data "sqlite:$TMP/notdb.db"

BAD=$TMP/bad-number.db
cp "$DB" "$BAD"
sqlite3 "$BAD" "UPDATE projects SET amount = '4.05亿' WHERE project = '忠文化展览馆'"
row=$(sqlite3 "$BAD" "SELECT count(*) FROM projects WHERE rowid <= (SELECT rowid FROM projects WHERE project = '忠文化展览馆')")
expect "number column holding text" \
    "$(re "$BAD: table projects, row $row, column \"amount\" expects a number, got \"4.05亿\"")" -- \
    render --data "sqlite:$BAD"

BLOB=$TMP/blob.db
cp "$DB" "$BLOB"
sqlite3 "$BLOB" "UPDATE works SET item = x'89504e47' WHERE rowid = 3"
expect "a BLOB value" "$(re "$BLOB: table works, row 3, column \"item\": holds a BLOB")" -- \
    render --data "sqlite:$BLOB"

BROKEN=$TMP/broken-view.db
cp "$DB" "$BROKEN"
sqlite3 "$BROKEN" "CREATE TABLE gone(a); CREATE VIEW broken AS SELECT a FROM gone; DROP TABLE gone"
expect "SQL error (a view over a dropped table)" "$(re "$BROKEN: view broken: no such table")" -- \
    render --data "sqlite:$BROKEN"

expect "?parameters are refused, pointing to views" "takes no \\?parameters.*CREATE VIEW" -- \
    render --data "sqlite:$DB?funded=SELECT 1"

: >"$TMP/empty.db"
expect "an empty file" "$(re "$TMP/empty.db"): the database has no tables" -- \
    render --data "sqlite:$TMP/empty.db"

check_eq "the database file is still unchanged" "$sum_before" "$(cksum <"$DB")"

finish
