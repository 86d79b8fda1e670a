"""county_copies.py SRC DST K: writes into DST the CSV data folder SRC with each county
copied under K ids (county_id + 00..K-1, name + 00..K-1), for tests that need many counties
with real rows: the two example counties become 2*K."""
import csv
import os
import sys

src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
for f in os.listdir(src):
    rows = list(csv.reader(open(os.path.join(src, f), encoding="utf-8")))
    out = [rows[0]]
    ci = rows[0].index("county_id") if "county_id" in rows[0] else None
    for n in range(k if ci is not None else 1):
        for r in rows[1:]:
            r = list(r)
            if ci is not None:
                r[ci] = f"{r[ci]}{n:02d}"
            if f == "counties.csv":
                r[1] = f"{r[1]}{n:02d}"
            out.append(r)
    csv.writer(open(os.path.join(dst, f), "w", encoding="utf-8", newline="")).writerows(out)
