# common.bash: helpers shared by the end-to-end tests in tests/e2e/*.sh (sourced, not a test).
#
# ctest runs each test with CB (the built countybrief binary), CB_SRC (the source folder) and
# CB_BUILD (the build folder) in the environment. Run by hand, a test falls back to the
# source tree it lives in and build/ below it:
#     bash tests/e2e/examples.sh
#
# A test sources this file, calls checks, and ends with `finish`:
#     ok "what was checked"              record a pass
#     not_ok "what was checked" [why]    record a failure (why: printed indented)
#     check "what" CMD ARGS...           pass if CMD exits 0
#     check_eq "what" EXPECTED ACTUAL    pass if the two strings are equal
#     check_same "what" REFERENCE ACTUAL pass if equal and REFERENCE is not empty: for a
#                                        reference made by the program under test (the CSV
#                                        folder's text, a first run's sums), which two
#                                        broken runs would otherwise match
#     run_checks CMD ARGS...             run a checker (lib/*.py) and count its own "ok -"
#                                        and "FAIL -" lines
#     skip "what" "why"                  record checks that could not run here (a tool not
#                                        installed, a kernel feature not permitted)
#     skip_all "why"                     the same for the rest of the test, which ends now
#     finish                             print "N passed, N failed[, N skipped]"; return 1
#                                        on any failure, else 77 if anything was skipped
#                                        (ctest: Skipped, SKIP_RETURN_CODE), else 0
# Every check prints one line: "ok - ...", "FAIL - ..." or "SKIP - ...: why".
#
# The rule: a test never passes by not checking. It runs every check it can; a block that
# cannot run here (a tool only tests use, not installed; a kernel feature not permitted;
# memory figures in a sanitizer build) is a `skip`, and the test then ends Skipped, so
# ctest shows it as not run (a failure elsewhere in it still makes it Failed). What the
# engine itself needs (.ci/install-deps: compilers, libraries, the fonts, fallback fonts
# included) and the tools below are required: missing, they fail. `.ci/install-deps --test`
# installs every tool a test uses, so the README's test command skips nothing.

E2E_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CB_SRC=${CB_SRC:-$(cd "$E2E_LIB/../../.." && pwd)}
CB_BUILD=${CB_BUILD:-$CB_SRC/build}
CB=${CB:-$CB_BUILD/core/countybrief}
# Debian's python3 (its packages: python3-fitz, pikepdf), not a python3 an environment
# manager put first on PATH: a pyenv shim costs a second or more per call under load
if [[ -z ${PYTHON:-} && -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=${PYTHON:-python3}; fi
export LC_ALL=C.UTF-8

if [[ ! -x $CB ]]; then
    printf 'FAIL - countybrief binary not found at %s (build it, or set CB)\n0 passed, 1 failed\n' "$CB"
    exit 1
fi
CB=$(cd "$(dirname "$CB")" && pwd)/$(basename "$CB") # tests change directory
for tool in pdftotext pdfinfo pdffonts pdftoppm qpdf fix-qdf "$PY"; do
    if ! command -v "$tool" >/dev/null; then
        printf "FAIL - required tool '%s' is not installed (poppler-utils, qpdf, python3)\n0 passed, 1 failed\n" "$tool"
        exit 1
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cb-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# each test its own list of plugins known good (core/plugins.c), so none depends on what
# ran before it
export XDG_CACHE_HOME=$TMP/cache

PASSED=0
FAILED=0
SKIPPED=0

ok() {
    PASSED=$((PASSED + 1))
    echo "ok - $1"
}

not_ok() {
    FAILED=$((FAILED + 1))
    echo "FAIL - $1"
    if [[ $# -gt 1 && -n $2 ]]; then
        printf '%s\n' "$2" | head -n 20 | sed 's/^/       /'
    fi
}

check() {
    local what=$1
    shift
    local out
    if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "$out"; fi
}

check_eq() {
    if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $3"; fi
}

check_same() {
    if [[ -z $2 ]]; then not_ok "$1" "the reference is empty: nothing to compare with"; else check_eq "$@"; fi
}

skip() {
    SKIPPED=$((SKIPPED + 1))
    echo "SKIP - $1: $2"
}

skip_all() {
    skip "the rest of the test" "$1"
    local rc=0
    finish || rc=$?
    exit "$rc"
}

# need_python MODULE WHAT: the rest of the test is skipped when $PY cannot import MODULE
# (WHAT names its Debian package for the message)
need_python() { "$PY" -c "import $1" 2>/dev/null || skip_all "$2 is not installed"; }

finish() {
    echo "$PASSED passed, $FAILED failed$( ((SKIPPED == 0)) || echo ", $SKIPPED skipped")"
    if ((FAILED > 0)); then return 1; fi
    if ((SKIPPED > 0)); then return 77; fi
    return 0
}

# cb ARGS...: runs countybrief; sets RC and fills $TMP/stdout and $TMP/stderr.
cb() {
    RC=0
    "$CB" "$@" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
}

# same_pdf A B: 0 if the two files are byte-identical; else 1, printing where they part
# (cmp's first byte, the object holding it) and the lines of the uncompressed objects that
# differ (qpdf --qdf), so that a rare difference in a CI log can be told apart: layout
# (numbers in a content stream), fonts (a subset, a ToUnicode map) or the writer.
same_pdf() {
    cmp -s "$1" "$2" && return 0
    cmp "$1" "$2" 2>&1 | head -n 1
    "$PY" - "$1" "$2" <<'PYEOF' 2>/dev/null || true
import re, sys
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    other = open(sys.argv[2] if path == sys.argv[1] else sys.argv[1], "rb").read()
    at = next((i for i, (x, y) in enumerate(zip(data, other)) if x != y), min(len(data), len(other)))
    objs = [(m.start(), m.group(1).decode()) for m in re.finditer(rb"(\d+ 0) obj", data)]
    held = [o for o in objs if o[0] <= at]
    print(f"{path}: {len(data)} bytes, first difference at {at} in object {held[-1][1] if held else '-'}")
PYEOF
    local qa qb
    qa=$(mktemp "$TMP/qdf.XXXXXX") qb=$(mktemp "$TMP/qdf.XXXXXX")
    qpdf --qdf --object-streams=disable "$1" "$qa" 2>/dev/null || true
    qpdf --qdf --object-streams=disable "$2" "$qb" 2>/dev/null || true
    diff -a "$qa" "$qb" | head -n 16
    rm -f "$qa" "$qb"
    return 1
}

# Poppler tools, quiet (examples.sh checks separately that they print no warning). They
# never stop a test by themselves: a PDF they cannot read gives empty output, which the
# checks that follow then report.
pdftext() { pdftotext "$@" 2>/dev/null || echo "pdftotext $* failed" >&2; }
pdf_pages() { pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p' || true; }
pdf_info() { pdfinfo "$1" 2>/dev/null | sed -n "s/^$2: *//p" || true; }

# flat FILE.pdf: the PDF's text with spaces and line breaks removed ("" if there is no file);
# with FLAT_LAYOUT=1 as laid out (pdftotext -layout): what shares a baseline, a table row or a
# label and the figure at the other end of its line, reads as one line whatever the fonts
flat() {
    local layout=()
    [[ ${FLAT_LAYOUT:-0} == 1 ]] && layout=(-layout)
    if [[ -f $1 ]]; then pdftext "${layout[@]}" "$1" - | tr -d ' \n'; fi
}
# has WHAT FILE.pdf TEXT...: a check that the flat text of the PDF holds every TEXT
has() {
    local what=$1 pdf=$2 text miss=""
    shift 2
    text=$(flat "$pdf")
    for want in "$@"; do [[ $text == *"$want"* ]] || miss+="missing: $want"$'\n'; done
    if [[ -z $miss ]]; then ok "$what"; else not_ok "$what" "$pdf"$'\n'"$miss"; fi
}

# has_text FILE STRING: the file contains STRING (fixed string, not a pattern).
has_text() { grep -qF -- "$2" "$1"; }
# sanitized: $CB is an ASan build (its memory use and some limits are not those of a release)
sanitized() { grep -qa __asan_init "$CB"; }
# SLOW: what the tests' wall-clock bounds (a hang guard, "finishes within N s") are multiplied
# by: 3 for a sanitizer build, which runs several times slower and is run beside other suites;
# CB_TEST_SLOW sets it (a loaded machine). A bound is there to catch a hang, not to time.
if [[ -n ${CB_TEST_SLOW:-} ]]; then SLOW=$CB_TEST_SLOW; elif sanitized; then SLOW=3; else SLOW=1; fi

# run_checks CMD...: runs a checker (lib/*.py) that prints "ok - ..." / "FAIL - ..." lines,
# and counts them as checks of this test; a checker that fails without a FAIL line fails too
run_checks() {
    local out rc=0
    out=$("$@" 2>&1) || rc=$?
    printf '%s\n' "$out"
    local nok nfail
    nok=$(grep -c '^ok - ' <<<"$out" || true)
    nfail=$(grep -c '^FAIL - ' <<<"$out" || true)
    PASSED=$((PASSED + nok))
    FAILED=$((FAILED + nfail))
    if [[ $rc -ne 0 && $nfail -eq 0 ]]; then not_ok "$* exited $rc"; fi
}

# role_fonts FILE: the faces the template's typeface roles got, from the "countybrief: fonts:"
# lines COUNTYBRIEF_SHOW_FONTS=1 wrote to FILE: one line per face (regular and bold, each
# once, the body's first), "POSTSCRIPTNAME TYPE" with TYPE as pdffonts shows an embedded
# face of that format ("CID Type 0C" for CFF outlines, "CID TrueType" for glyf ones)
role_fonts() {
    local spec
    grep '^countybrief: fonts: ' "$1" | grep -v 'cannot be used' | grep -o '/[^ ()]*:[0-9][0-9]*' |
        awk '!seen[$0]++' | while IFS= read -r spec; do
        fc-query -i "${spec##*:}" -f '%{postscriptname} %{fontformat}\n' "${spec%:*}" 2>/dev/null || true
    done | awk '{ print $1, ($2 == "CFF" ? "CID Type 0C" : "CID TrueType") }'
}

# render_examples DIR: renders the example data into DIR, quietly. Nothing else can be
# checked without it: on failure the test ends here.
render_examples() {
    if ! "$CB" render --quiet --out "$1" >"$TMP/render.log" 2>&1; then
        not_ok "render the example data into $1" "$(cat "$TMP/render.log")"
        finish || exit 1
    fi
}
