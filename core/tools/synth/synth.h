/*
 * synth.h: a synthetic data folder, for load tests, demos and layout checks.
 *
 * cb_synth_write writes the ten files of a data folder (docs/data.md: counties, partners,
 * indicators, training, projects, allocations, towns, works, targets and schema) for n
 * made-up counties. The tables have the columns of examples/data and figures that agree
 * with each other the way a briefing reads them: aid_total is the sum of the allocation
 * rows (rounded down, with 余, when not exact), each project's amount comes out of the
 * allocation of its year, projects_total is at least the number of project rows and the
 * allocations' project counts, people_trained sums the training rows, and a 十四五
 * target's progress is the same data's 2021-and-later figures.
 *
 * Nothing in it is real, and every file says so: each data row's `source` reads
 * `合成数据（synthetic, seed S）`, and schema.csv's county_id rows say the codes
 * are made up. County ids are 6-digit codes 9xxxxx, which no real county has (real codes
 * start 11..82); names are built from syllable tables and are unique within the set.
 *
 * Determinism: the output depends only on (n, seed). The generator is xoshiro256**
 * seeded by splitmix64, all arithmetic is in integers, so the files are byte-identical on
 * every machine and run (the rule that keeps it so is in synth.c, above the generator).
 * County i's name and rows depend on (seed, i) alone; only the ids depend on n too (they
 * spread over 900000..999999), so a larger set repeats a smaller one under other ids.
 *
 * Row order: counties in ascending id order; every other table grouped by county in that
 * order; within a county, periods ascending.
 */
#ifndef CB_SYNTH_H
#define CB_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "countybrief/countybrief.h"

/* The 6-digit codes 900000..999999 bound the set. */
#define CB_SYNTH_MAX_COUNTIES 100000

/* Writes a synthetic data set of n counties to dir (created if missing; existing files of
 * the set overwritten), deterministic for (n, seed): same arguments, byte-identical files
 * on any machine. Every file and every row says it is synthetic. Returns CB_OK or an
 * error code with err naming the file.
 *
 * n must be 1..CB_SYNTH_MAX_COUNTIES (else CB_EUSAGE). Files are written through a
 * hidden temporary name in dir and renamed into place only when all ten are complete, so
 * on an error the existing files of the set are left as they were (CB_EIO; the message
 * names the folder or the file, e.g. "out/projects.csv: No space left on device"). Other
 * files in dir are not touched. */
int cb_synth_write(const char *dir, size_t n, uint64_t seed, cb_error *err);

#endif /* CB_SYNTH_H */
