#!/bin/bash
# bench/peer_data.sh: the peers' synthetic data (shared/bench-peers/gen_data.py) in $W/data, and
# the same data as a countybrief data folder in $W/cbdata:
#   counties.csv  `id` renamed to `county_id`, every other column as it is
#   projects.csv  as it is (it has county_id already)
#   schema.csv    the KPI figures and the summary are text, so "6.80" and "12.0" print as the
#                 peers print them (typed by content they would be numbers: 6.8, 12)
# Usage: bench/peer_data.sh [N=300]     (PEERS, W as for bench/peers.sh)
set -eu
cd "$(dirname "$0")/.."
PEERS=${PEERS:-$(cd ../shared/bench-peers && pwd)}
W=${W:-/tmp/peers}
N=${1:-300}
D=$W/data CBD=$W/cbdata
if [ "$(wc -l <"$D/counties.csv" 2>/dev/null)" != $((N + 1)) ]; then
    rm -rf "$D"
    /usr/bin/python3 "$PEERS/gen_data.py" "$D" "$N"
fi
mkdir -p "$CBD"
sed '1s/^id,/county_id,/' "$D/counties.csv" >"$CBD/counties.csv"
cp "$D/projects.csv" "$CBD/projects.csv"
{
    echo "table,column,type,unit,description"
    for c in county_id name province fund_yi projects trained jobs firms benef_wan summary; do
        echo "counties,$c,text,,peer benchmark data (gen_data.py)"
    done
    for i in 1 2 3 4 5 6; do echo "counties,bar$i,number,万元,"; done
    echo "projects,county_id,text,,"
    echo "projects,seq,number,,"
    echo "projects,name,text,,"
    echo "projects,category,text,,"
    echo "projects,amount_wan,number,万元,"
    echo "projects,year,number,年,"
} >"$CBD/schema.csv"
head -1 "$CBD/counties.csv" | grep -q '^county_id,name,' || { echo "peer_data.sh: conversion failed" >&2; exit 1; }
