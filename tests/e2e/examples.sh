#!/usr/bin/env bash
# examples.sh: the promise of `countybrief render` on the example data, as a reader of the
# PDFs sees it: one PDF per county with the right figures, a valid and small file with
# the faces of the template's typeface roles embedded as subsets, each once and nothing
# else (the briefing template: Noto Serif CJK SC and Noto Sans CJK SC, CFF, where
# fonts-noto-cjk is installed, else WenQuanYi Micro Hei alone, TrueType; which is what
# COUNTYBRIEF_SHOW_FONTS=1 prints), a correct "第 i 页 / 共 N 页" footer, document
# information, bookmarks for the headings, and byte-identical output on every run
# (with SOURCE_DATE_EPOCH setting the dates).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

OUT=$TMP/out
COUNTYBRIEF_SHOW_FONTS=1 render_examples "$OUT"
# the roles' faces, "POSTSCRIPTNAME TYPE" (the body's first)
role_fonts "$TMP/render.log" >"$TMP/roles.txt"
body=$(head -n 1 "$TMP/roles.txt" | cut -d' ' -f1)
check "COUNTYBRIEF_SHOW_FONTS=1 names the roles' faces" test -n "$body"

ZX=$OUT/500233-忠县.pdf
FJ=$OUT/500236-奉节县.pdf

# --- the files ------------------------------------------------------------------------
check_eq "exactly two files, named <county_id>-<name>.pdf" \
    "500233-忠县.pdf 500236-奉节县.pdf" "$(cd "$OUT" && ls -- *.pdf | sort | tr '\n' ' ' | sed 's/ $//')"

# --- the figures ----------------------------------------------------------------------
# check_text PDF NAME STRING...: pdftotext of PDF holds every STRING
check_text() {
    local pdf=$1 name=$2 txt=$TMP/$2.txt s
    shift 2
    pdftext "$pdf" "$txt"
    for s in "$@"; do
        if has_text "$txt" "$s"; then ok "$name: text contains '$s'"; else not_ok "$name: text contains '$s'"; fi
    done
}
check_text "$ZX" 忠县 忠县 4.05亿元 468
check_text "$FJ" 奉节县 奉节县 4.29亿元 129

for pdf in "$ZX" "$FJ"; do
    name=$(basename "$pdf" .pdf)

    # --- a valid, small file with the roles' faces embedded as subsets -------------------
    check "$name: qpdf --check passes" qpdf --check "$pdf"
    # a clean ToUnicode map: poppler reads the text without a single warning
    warnings=$(pdftotext "$pdf" /dev/null 2>&1 || true)
    check_eq "$name: pdftotext prints no warning or error" "" "$warnings"

    # pdffonts' columns: name type... encoding emb sub uni objectID gen (a type has spaces);
    # as "NAME|TYPE|ENCODING|EMB SUB UNI" with the subset prefix in NAME
    pdffonts "$pdf" 2>/dev/null | awk 'NR > 2 { type = $2; for (i = 3; i <= NF - 6; i++) type = type " " $i
        print $1 "|" type "|" $(NF-5) "|" $(NF-4) " " $(NF-3) " " $(NF-2) }' >"$TMP/fonts.txt" || true
    names=$(cut -d'|' -f1 "$TMP/fonts.txt" | sed 's/^[A-Z]*+//')
    stray=$(grep -vxF -f <(cut -d' ' -f1 "$TMP/roles.txt") <<<"$names" || true)
    twice=$(sort <<<"$names" | uniq -d)
    if [[ -s $TMP/fonts.txt && -z $stray && -z $twice ]] && grep -qxF "$body" <<<"$names"; then
        ok "$name: pdffonts lists the roles' faces, each once, the body's ($body) among them, nothing else ($(paste -sd' ' <<<"$names"))"
    else
        not_ok "$name: pdffonts lists the roles' faces, each once, the body's ($body) among them, nothing else" \
            "$(cat "$TMP/fonts.txt")"$'\n'"roles: $(paste -sd, "$TMP/roles.txt")"
    fi
    # each one CID-keyed with Identity-H (CJK-capable), as its outlines are: a CIDFontType0
    # with a CFF program (CID Type 0C), a CIDFontType2 with TrueType ones
    bad=""
    while IFS='|' read -r fname type enc fields; do
        want=$(awk -v n="${fname#*+}" '$1 == n { $1 = ""; print substr($0, 2) }' "$TMP/roles.txt")
        [[ $type == "$want" && $enc == Identity-H ]] || bad+="$fname: $type $enc (its face: ${want:-?})"$'\n'
        [[ $fields == "yes yes yes" ]] || bad+="$fname: emb sub uni = $fields"$'\n'
        [[ $fname =~ ^[A-Z]{6}\+. ]] || bad+="$fname: no XXXXXX+ subset prefix"$'\n'
    done <"$TMP/fonts.txt"
    if [[ -z $bad ]]; then
        ok "$name: each font CID-keyed as its outlines are (CID Type 0C for CFF, CID TrueType), Identity-H, embedded, subset (XXXXXX+) with a ToUnicode map"
    else
        not_ok "$name: each font CID-keyed as its outlines are, Identity-H, embedded, subset with a ToUnicode map" "$bad"
    fi

    size=$(stat -c %s "$pdf")
    if ((size < 150 * 1024)); then ok "$name: file is under 150 KB ($size bytes)"; else
        not_ok "$name: file is under 150 KB" "$size bytes"; fi

    # --- footer and page count ----------------------------------------------------------
    pages=$(pdf_pages "$pdf")
    if [[ $pages =~ ^[0-9]+$ ]] && ((pages > 0)); then
        ok "$name: pdfinfo reports $pages pages"
        # pdftotext drops the narrow spaces between the footer's words: compare without spaces
        bad=""
        for ((i = 1; i <= pages; i++)); do
            pdftext -f "$i" -l "$i" "$pdf" - | tr -d ' ' >"$TMP/page.txt"
            has_text "$TMP/page.txt" "第${i}页/共${pages}页" || bad+="page $i lacks '第 $i 页 / 共 $pages 页'; "
        done
        if [[ -z $bad ]]; then ok "$name: every page's footer reads 第 i 页 / 共 $pages 页"; else
            not_ok "$name: every page's footer reads 第 i 页 / 共 $pages 页" "$bad"; fi
    else
        not_ok "$name: pdfinfo reports a page count" "got '$pages'"
    fi

    # --- document information -----------------------------------------------------------
    county=${name#*-}
    title=$(pdf_info "$pdf" Title)
    if [[ $title == *"$county"* ]]; then ok "$name: Title names the county ($title)"; else
        not_ok "$name: Title contains '$county'" "Title: $title"; fi
    for key in Subject Author Keywords; do
        value=$(pdf_info "$pdf" "$key")
        if [[ -n $value ]]; then ok "$name: $key is set ($value)"; else not_ok "$name: $key is set"; fi
    done

    # --- bookmarks ----------------------------------------------------------------------
    outline=$("$PY" "$E2E_LIB/pdf_outline.py" "$pdf" 2>&1) || true
    for heading in 概况 重点援建项目; do
        if cut -f3 <<<"$outline" | grep -qxF "$heading"; then ok "$name: bookmark '$heading'"; else
            not_ok "$name: the outline has a bookmark '$heading'" "$outline"; fi
    done
    # each bookmark leads to the page that shows its heading
    bad=""
    while IFS=$'\t' read -r depth page heading; do
        [[ -n $heading ]] || continue
        pdftext -f "$page" -l "$page" "$pdf" "$TMP/page.txt"
        has_text "$TMP/page.txt" "$heading" || bad+="'$heading' points to page $page, which lacks it; "
    done <<<"$outline"
    if [[ -z $bad && -n $outline ]]; then ok "$name: every bookmark points to the page with its heading"; else
        not_ok "$name: every bookmark points to the page with its heading" "${bad:-no outline}"; fi
done

# --- reproducible output --------------------------------------------------------------
render_examples "$TMP/again"
for f in 500233-忠县.pdf 500236-奉节县.pdf; do
    check "$f: a second render is byte-identical" same_pdf "$OUT/$f" "$TMP/again/$f"
done

SOURCE_DATE_EPOCH=1700000000 render_examples "$TMP/sde1"
SOURCE_DATE_EPOCH=1700000000 render_examples "$TMP/sde2"
for f in 500233-忠县.pdf 500236-奉节县.pdf; do
    check "$f: two renders with SOURCE_DATE_EPOCH=1700000000 are byte-identical" \
        same_pdf "$TMP/sde1/$f" "$TMP/sde2/$f"
    created=$(pdfinfo -isodates "$TMP/sde1/$f" 2>/dev/null | sed -n 's/^CreationDate: *//p' || true)
    check_eq "$f: CreationDate is SOURCE_DATE_EPOCH (2023-11-14T22:13:20Z)" "2023-11-14T22:13:20Z" "$created"
done

finish
