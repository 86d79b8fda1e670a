/*
 * numfmt.h: numbers the Chinese way, for report text and tables.
 *
 * Every function writes a NUL-terminated UTF-8 string into out (size n, truncated if too
 * small) and returns the length it needed, like snprintf. Rounding is half away from zero
 * at the stated number of decimals; trailing zeros after the point are dropped.
 *
 *   cb_fmt_yuan(405000000)  -> "4.05亿元"    >= 1亿: 亿元, 2 decimals
 *   cb_fmt_yuan(84000000)   -> "8400万元"    >= 1万: 万元, 2 decimals
 *   cb_fmt_yuan(6100000)    -> "610万元"
 *   cb_fmt_yuan(1000)       -> "1000元"      below 1万: whole yuan
 *   cb_fmt_count(468, "个", NULL)      -> "468个"
 *   cb_fmt_count(2396, "人次", "余")    -> "2396余人次"   余/多: after the number
 *   cb_fmt_count(200000, "人", "近")    -> "近20万人"     近/约: before it; >= 1万 in 万
 *   cb_fmt_count(150000000, "人", NULL) -> "1.5亿人"      >= 1亿 in 亿, >= 1万亿 in 万亿
 *   cb_fmt_percent(0.675, 1)           -> "67.5%"
 *   cb_fmt_thousands(1234567.5, 0)     -> "1,234,568"
 *   cb_fmt_yuan(1.2e12)                -> "1.2万亿元"
 * In English (--lang en) the scales are million, billion and trillion, 2 decimals, and a
 * figure below a million is written whole with thousands separators:
 *   cb_fmt_en_yuan(405000000)          -> "CNY 405 million"
 *   cb_fmt_en_yuan(5000)               -> "CNY 5,000"
 *   cb_fmt_en_count(2396, "person-times", "余") -> "over 2,396 person-times"
 *   cb_fmt_en_count(1.5e6, "people", "近")     -> "nearly 1.5 million people"
 * (余/多 read "over", 近 "nearly", 约 "about"; another qualifier is written as given.)
 * The unit switch happens after rounding: 99995000 yuan is "1亿元", not "10000万元", and
 * 999999500 is "CNY 1 billion", not "CNY 1,000 million".
 * A figure whose integer part (in the unit shown) would need more than 15 digits, more
 * than a double holds, is written in scientific notation: cb_fmt_yuan(1e300) ->
 * "1e+288万亿元", cb_fmt_decimal(-1.5e20, 2) -> "-1.5e+20".
 */
#ifndef CB_NUMFMT_H
#define CB_NUMFMT_H

#include <stddef.h>

size_t cb_fmt_yuan(char *out, size_t n, double yuan);
/* Like cb_fmt_yuan but in 万元 always, no unit suffix: 3000000 -> "300" (tables). */
size_t cb_fmt_wan(char *out, size_t n, double yuan);
size_t cb_fmt_count(char *out, size_t n, double value, const char *unit, const char *qualifier);
size_t cb_fmt_en_yuan(char *out, size_t n, double yuan);
size_t cb_fmt_en_count(char *out, size_t n, double value, const char *unit, const char *qualifier);
size_t cb_fmt_percent(char *out, size_t n, double ratio, int decimals);
size_t cb_fmt_thousands(char *out, size_t n, double value, int decimals);
/* Plain decimal: at most `decimals` decimals, trailing zeros dropped: 16.470 -> "16.47". */
size_t cb_fmt_decimal(char *out, size_t n, double value, int decimals);

#endif /* CB_NUMFMT_H */
