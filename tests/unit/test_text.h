/*
 * test_text.h: what the unit tests of text share: the installed Chinese font, and lines
 * as the breaker makes them.
 */
#ifndef CB_TEST_TEXT_H
#define CB_TEST_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "wrap.h"

/* The first Chinese font fontconfig finds, opened (exits when there is none). */
static inline cb_font *test_font_open(void)
{
    char *path;
    int index;
    cb_error err;
    cb_font *f;
    if (cb_font_find(NULL, &path, &index, &err) != CB_OK || cb_font_open(&f, path, index, &err) != CB_OK) {
        fprintf(stderr, "no CJK font: %s\n", err.msg);
        exit(1);
    }
    free(path);
    return f;
}

/* Breaks s (first line `first` wide, the others w) with the measure `advance` and returns
 * the lines joined by '|' (static buffer); widths (may be NULL) gets each line's width. */
static inline const char *test_lines(const char *s, float first, float w, cb_advance_fn advance, void *ud,
                                     float *widths)
{
    static char out[4096];
    cb_line *lines;
    size_t n = cb_break_lines(s, strlen(s), first, w, advance, ud, &lines);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(out, "|");
        strncat(out, s + lines[i].start, lines[i].len);
        if (widths) widths[i] = lines[i].width;
    }
    free(lines);
    return out;
}

#endif /* CB_TEST_TEXT_H */
