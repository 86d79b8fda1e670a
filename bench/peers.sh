#!/bin/bash
# bench/peers.sh: countybrief beside its peers (shared/bench-peers), in one run on this machine.
#
#   bench/peers.sh [--no-peers] [--no-scale] [--no-build] [TOOL ...]
#
# 1. Sets up what is missing: Debian packages (as root), typst's npm package into $W/typst, the
#    two plain-libharu peers (the peers' Makefile, into $W/bin), countybrief as Release in
#    build-bench.
# 2. Generates the peers' data (gen_data.py, N=300) and converts it for countybrief into
#    $W/cbdata (id -> county_id, a schema.csv that keeps the KPI figures as text).
# 3. Runs the peers' own bench.sh for TOOLs (default: haru_hbsub haru_full reportlab, and
#    typst_evict10 when its npm package is there).
# 4. Runs countybrief the same way on the same page (bench/peer_briefing.lua with
#    bench/peer_template): pinned to CPU 0, --jobs 1, hyperfine -N --runs 3 --warmup 1 for N=300
#    and N=1 (--force, so every run renders), /usr/bin/time -v and bench/rss_tree.py for peak
#    RSS (per process), --jobs 2 unpinned for throughput, the peers' check.py (qpdf --check on
#    every PDF, pdftotext of 3 samples: name + the 6 KPI figures, 2 pages, mean size).
# 5. If the build has `countybrief synth`: the real briefing report on synthetic data at 300 and
#    3,000 counties with --jobs 2: time, peak RSS, qpdf --check of every PDF, unchanged re-run.
# 6. Prints the tables (bench/peers_table.py), also written to $W/logs/tables.md.
#
# The peers' scripts are called where they are (PEERS, default ../shared/bench-peers beside the
# repository); nothing of them is copied. Work files go to $W (default /tmp/peers), as for the
# peers' bench.sh. Takes about 15-25 minutes on 2 cores. See also bench/paired.sh (alternating runs,
# for a fair ratio on a shared machine) and bench/profile.sh (where the time goes); bench/RESULTS.md.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/bench-peers" 2>/dev/null && pwd)}
export W=${W:-/tmp/peers}
L=$W/logs
BUILD=${BUILD:-$ROOT/build-bench}
CB=$BUILD/core/countybrief
PY=/usr/bin/python3
N=300

do_peers=1 do_scale=1 do_build=1
tools=()
for a in "$@"; do
    case "$a" in
        --no-peers) do_peers=0 ;;
        --no-scale) do_scale=0 ;;
        --no-build) do_build=0 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        -*) echo "peers.sh: unknown option $a" >&2; exit 2 ;;
        *) tools+=("$a") ;;
    esac
done
say() { printf '\n=== %s   [load average: %s]\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
die() { echo "peers.sh: $*" >&2; exit 1; }
[ -n "$PEERS" ] && [ -f "$PEERS/bench.sh" ] || die "no peer benchmark at ${PEERS:-../shared/bench-peers} (set PEERS=DIR)"

# ---------------------------------------------------------------- 1. set-up
say "set-up"
mkdir -p "$W" "$L" "$W/out"
# what is needed, as "test:Debian package"; a test is a command name, /path or py:module
need=(hyperfine:hyperfine py:reportlab:python3-reportlab /usr/include/hpdf.h:libhpdf-dev
      /usr/include/harfbuzz/hb-subset.h:libharfbuzz-dev
      /usr/share/fonts/truetype/wqy/wqy-microhei.ttc:fonts-wqy-microhei pdftotext:poppler-utils
      pdfinfo:poppler-utils qpdf:qpdf /usr/bin/time:time taskset:util-linux make:make cc:gcc
      pkg-config:pkg-config cmake:cmake)
command -v node >/dev/null || need+=(node:nodejs)    # typst only: optional
command -v npm >/dev/null || need+=(npm:npm)
missing=()
for n in "${need[@]}"; do
    pkg=${n##*:} t=${n%:*}
    case "$t" in
        py:*) $PY -c "import ${t#py:}" 2>/dev/null && continue ;;
        /*) [ -e "$t" ] && continue ;;
        *) command -v "$t" >/dev/null && continue ;;
    esac
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "installing: ${missing[*]}"
        apt-get update -qq >/dev/null
        # one by one, so that an optional one that cannot be installed (npm) does not stop the rest
        for pkg in "${missing[@]}"; do
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >"$L/apt.log" 2>&1 ||
                echo "apt-get install $pkg failed (tail of the log: $(tail -1 "$L/apt.log"))"
        done
    else
        echo "missing Debian packages (install them as root): ${missing[*]}"
    fi
fi
for t in hyperfine qpdf pdftotext pdfinfo /usr/bin/time taskset make cc cmake; do
    command -v "$t" >/dev/null || die "$t is missing"
done
$PY -c "import reportlab" 2>/dev/null || echo "WARNING: no python3-reportlab: the reportlab peer will fail"
have_typst=0
if [ -d "$W/typst/node_modules/@myriaddreamin/typst-ts-node-compiler" ]; then
    have_typst=1
elif command -v npm >/dev/null; then
    echo "installing @myriaddreamin/typst-ts-node-compiler into $W/typst"
    if (mkdir -p "$W/typst" && cd "$W/typst" && { [ -f package.json ] || npm init -y >/dev/null; } &&
        timeout 600 npm install --no-audit --no-fund @myriaddreamin/typst-ts-node-compiler >"$L/npm.log" 2>&1); then
        have_typst=1
    else
        echo "typst: npm install failed (see $L/npm.log); typst is skipped"
    fi
fi
make -s -C "$PEERS" W="$W" >"$L/make.log" 2>&1 || die "building the libharu peers failed: see $L/make.log"
if [ $do_build = 1 ]; then
    { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2; } >"$L/cmake.log" 2>&1 \
        || die "building countybrief (Release) failed: see $L/cmake.log"
fi
[ -x "$CB" ] || die "no $CB (run without --no-build)"
grep -q "CMAKE_BUILD_TYPE:STRING=Release" "$BUILD/CMakeCache.txt" || echo "WARNING: $BUILD is not a Release build"

# ---------------------------------------------------------------- 2. data
say "data: gen_data.py N=$N, converted for countybrief"
D=$W/data CBD=$W/cbdata
PEERS=$PEERS W=$W bash "$ROOT/bench/peer_data.sh" $N || die "preparing the data failed"

# ---------------------------------------------------------------- 3. peers
if [ ${#tools[@]} -eq 0 ]; then
    tools=(haru_hbsub haru_full reportlab)
    [ $have_typst = 1 ] && tools+=(typst_evict10)
fi
if [ $do_peers = 1 ]; then
    say "peers: $PEERS/bench.sh ${tools[*]}"
    bash "$PEERS/bench.sh" "${tools[@]}" 2>&1 | tee "$L/peers.log" | grep -E "^###|Time \(|±|^\{|^\|"
fi

# ---------------------------------------------------------------- 4. countybrief on the peers' page
say "countybrief: the peers' page, bench/peer_briefing.lua"
"$CB" --version >"$L/countybrief.version" 2>&1
cbcmd() { # OUT [ARGS...]: a render of the converted data with the peer report and template
    local out=$1; shift
    echo "$CB render --quiet --force --data $CBD --report $ROOT/bench/peer_briefing.lua --template $ROOT/bench/peer_template --out $out $*"
}
O1=$W/out/countybrief_n1 O300=$W/out/countybrief O2=$W/out/countybrief_j2
rm -rf "$O1" "$O300" "$O2"
c1=$(cbcmd "$O1" --jobs 1 --county 1)
c300=$(cbcmd "$O300" --jobs 1)
c2=$(cbcmd "$O2" --jobs 2)
echo "### countybrief N=1: taskset -c 0 $c1"
hyperfine -N --runs 3 --warmup 1 --style basic --export-json "$L/countybrief.1.json" "taskset -c 0 $c1" | grep -E "Time|Range"
/usr/bin/time -v -o "$L/countybrief.1.time" taskset -c 0 $c1 >/dev/null 2>&1
echo "### countybrief N=300: taskset -c 0 $c300"
hyperfine -N --runs 3 --warmup 1 --style basic --export-json "$L/countybrief.300.json" "taskset -c 0 $c300" | grep -E "Time|Range"
/usr/bin/time -v -o "$L/countybrief.300.time" taskset -c 0 $c300 >/dev/null 2>&1
$PY "$ROOT/bench/rss_tree.py" "$L/countybrief.300.rss.json" taskset -c 0 $c300
echo "### countybrief N=300 --jobs 2 (unpinned): $c2"
hyperfine -N --runs 3 --warmup 1 --style basic --export-json "$L/countybrief_j2.300.json" "$c2" | grep -E "Time|Range"
/usr/bin/time -v -o "$L/countybrief_j2.300.time" $c2 >/dev/null 2>&1
$PY "$ROOT/bench/rss_tree.py" "$L/countybrief_j2.300.rss.json" $c2
# the same without fsync (the peers write with plain fwrite and never fsync): countybrief fsyncs
# every PDF by default, which costs wall time but little CPU
if "$CB" --help 2>&1 | grep -q -- --no-fsync; then
    for n in 1 300; do
        [ $n = 1 ] && c="$c1 --no-fsync" || c="$c300 --no-fsync"
        echo "### countybrief --no-fsync N=$n: taskset -c 0 $c"
        hyperfine -N --runs 3 --warmup 1 --style basic --export-json "$L/countybrief_nofsync.$n.json" "taskset -c 0 $c" | grep -E "Time|Range"
    done
    echo "### countybrief --no-fsync N=300 --jobs 2 (unpinned): $c2 --no-fsync"
    hyperfine -N --runs 3 --warmup 1 --style basic --export-json "$L/countybrief_nofsync_j2.300.json" "$c2 --no-fsync" | grep -E "Time|Range"
else
    rm -f "$L"/countybrief_nofsync*.json
fi
# the peers' check.py wants briefing_NNN.pdf: link countybrief's <id>-<name>.pdf under those names
CK=$W/out/countybrief_check
rm -rf "$CK" && mkdir -p "$CK"
for f in "$O300"/*.pdf; do
    b=$(basename "$f")
    ln -s "$f" "$CK/$(printf 'briefing_%03d.pdf' "${b%%-*}")"
done
$PY "$PEERS/check.py" "$D" "$CK" 2>/dev/null | tee "$L/countybrief.check.json"
grep -h "Pages:" <(for f in "$O300"/*.pdf; do pdfinfo "$f"; done) | sort | uniq -c >"$L/countybrief.pages"
echo "pages per briefing (count, pages): $(tr -s ' \n' ' ' <"$L/countybrief.pages")"

# ---------------------------------------------------------------- 5. scale: synth + briefing
rm -f "$L"/scale.*.json
if [ $do_scale = 1 ]; then
    if "$CB" --help 2>&1 | grep -qE '(^|[^a-z])synth([^a-z]|$)'; then
        for n in 300 3000; do
            say "scale: countybrief synth --counties $n, briefing report, --jobs 2"
            SD=$W/synth$n SO=$W/out/synth$n
            rm -rf "$SD" "$SO"
            "$CB" synth --counties $n --seed 1 --out "$SD" >"$L/synth.$n.log" 2>&1 || { cat "$L/synth.$n.log"; die "synth failed"; }
            sc="$CB render --quiet --force --jobs 2 --data $SD --out $SO"
            hyperfine -N --runs 3 --warmup 1 --style basic --export-json "$L/scale.$n.render.json" "$sc" | grep -E "Time|Range"
            /usr/bin/time -v -o "$L/scale.$n.time" $sc >/dev/null 2>"$L/scale.$n.stderr"
            $PY "$ROOT/bench/rss_tree.py" "$L/scale.$n.rss.json" $sc
            # every PDF through qpdf --check, two at a time (exit 0 only; warnings count as failures)
            ls "$SO"/*.pdf | xargs -d '\n' -P2 -n 20 sh -c 'for f; do qpdf --check "$f" >/dev/null 2>&1 || echo "$f"; done' _ >"$L/scale.$n.qpdf_fail"
            # unchanged re-run: no --force, the output folder is complete
            rr="$CB render --quiet --jobs 2 --data $SD --out $SO"
            $rr >/dev/null 2>&1
            hyperfine -N --runs 5 --warmup 1 --style basic --export-json "$L/scale.$n.rerun.json" "$rr" | grep -E "Time|Range"
            "$CB" render --jobs 2 --data "$SD" --out "$SO" 2>&1 | tail -1 >"$L/scale.$n.rerun.txt"
            $PY - "$L" "$n" "$SO" <<'EOF'
import json, os, re, sys
L, n, so = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = json.load(open(os.path.join(L, "scale.%d.render.json" % n)))["results"][0]
rr = json.load(open(os.path.join(L, "scale.%d.rerun.json" % n)))["results"][0]
rss = json.load(open(os.path.join(L, "scale.%d.rss.json" % n)))
t = open(os.path.join(L, "scale.%d.time" % n)).read()
m = json.load(open(os.path.join(so, "manifest.json")))
pdfs = [c for c in m["counties"] if c.get("file")]
pages = {}
for c in pdfs:
    pages[c["pages"]] = pages.get(c["pages"], 0) + 1
fails = [l for l in open(os.path.join(L, "scale.%d.qpdf_fail" % n)).read().split("\n") if l]
npdf = len([f for f in os.listdir(so) if f.endswith(".pdf")])
res = {"n": n, "wall_s": r["median"], "per_s": n / r["median"],
       "parent_mb": rss["root_kb"] / 1024, "worker_mb": rss["max_child_kb"] / 1024,
       "worker_private_mb": rss.get("max_child_private_kb", 0) / 1024,
       "worker_pss_mb": rss.get("max_child_pss_kb", 0) / 1024,
       "time_rss_mb": int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024,
       "mean_kb": round(sum(c["bytes"] for c in pdfs) / len(pdfs) / 1024, 1),
       "pages": ", ".join("%d×%dp" % (v, k) for k, v in sorted(pages.items())),
       "qpdf": "%d/%d" % (npdf - len(fails), npdf), "rerun_s": rr["median"],
       "rerun_line": open(os.path.join(L, "scale.%d.rerun.txt" % n)).read().strip()}
json.dump(res, open(os.path.join(L, "scale.%d.json" % n), "w"))
print(json.dumps(res, ensure_ascii=False))
EOF
        done
    else
        say "scale: SKIPPED: this build of countybrief has no 'synth' command ($CB --help does not list it)"
    fi
fi

# ---------------------------------------------------------------- 6. tables
say "results ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(uname -r), $(date -u +%F))"
{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r), $(date -u '+%F %H:%M UTC')"
    echo "countybrief: $(cat "$L/countybrief.version") (Release, $BUILD; source $(git -C "$ROOT" describe --always --dirty 2>/dev/null))"
    echo "versions: $(dpkg-query -W -f='${Package} ${Version}; ' libhpdf-2.3.0 libharfbuzz-subset0 libisal2 libdeflate0 liblua5.4-0 python3-reportlab hyperfine qpdf poppler-utils fonts-wqy-microhei 2>/dev/null)node $(node --version 2>/dev/null)$( [ $have_typst = 1 ] && echo "; typst-ts-node-compiler $($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$W/typst/node_modules/@myriaddreamin/typst-ts-node-compiler/package.json" 2>/dev/null)")"
    echo
    $PY "$ROOT/bench/peers_table.py" "$L"
} | tee "$L/tables.md"
