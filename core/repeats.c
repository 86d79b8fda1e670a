/* repeats.c: see repeats.h. */
#include "repeats.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct cb_repeat_kind {
    uint64_t hash;
    char *key;   /* the message without the county's id and name */
    char *last;  /* the last one printed */
    size_t count;
};

/* msg with each occurrence of id and name (when not empty) replaced by "\x01". */
static char *kind_of(const char *msg, const char *id, const char *name)
{
    cb_buf b = {0};
    cb_buf_add(&b, "", 0);
    size_t li = id ? strlen(id) : 0, ln = name ? strlen(name) : 0;
    for (const char *p = msg; *p;) {
        size_t skip = ln && strncmp(p, name, ln) == 0 ? ln : li && strncmp(p, id, li) == 0 ? li : 0;
        if (skip) {
            cb_buf_add(&b, "\x01", 1);
            p += skip;
        } else {
            cb_buf_add(&b, p++, 1);
        }
    }
    return b.s;
}

void cb_repeats_print(cb_repeats *r, FILE *out, const char *prefix, const char *msg, const char *id,
                      const char *name)
{
    char *key = kind_of(msg, id, name);
    uint64_t h = cb_fnv1a(CB_FNV_SEED, key, strlen(key));
    cb_repeat_kind *k = NULL;
    for (size_t i = 0; i < r->n && !k; i++)
        if (r->kinds[i].hash == h && strcmp(r->kinds[i].key, key) == 0) k = &r->kinds[i];
    if (!k) {
        r->kinds = cb_xrealloc(r->kinds, (r->n + 1) * sizeof *r->kinds);
        k = &r->kinds[r->n++];
        *k = (cb_repeat_kind){h, key, NULL, 0};
    } else {
        free(key);
    }
    k->count++;
    if (k->count <= CB_REPEATS_SHOWN) {
        fprintf(out, "%s%s\n", prefix, msg);
        free(k->last);
        k->last = cb_xstrdup(msg);
    } else if (k->count == CB_REPEATS_SHOWN + 1) {
        char *who = cb_clean_asprintf("%s %s", id ? id : "", name ? name : "");
        fprintf(out, "%smore counties fail with the error of %s: counted at the end\n", prefix, who);
        free(who);
    }
}

void cb_repeats_summary(const cb_repeats *r, FILE *out, const char *prefix)
{
    for (size_t i = 0; i < r->n; i++) {
        const cb_repeat_kind *k = &r->kinds[i];
        if (k->count > CB_REPEATS_SHOWN)
            fprintf(out, "%s%s (and %zu more count%s with the same error)\n", prefix, k->last,
                    k->count - CB_REPEATS_SHOWN, k->count - CB_REPEATS_SHOWN == 1 ? "y" : "ies");
    }
}

void cb_repeats_free(cb_repeats *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->kinds[i].key);
        free(r->kinds[i].last);
    }
    free(r->kinds);
    r->kinds = NULL;
    r->n = 0;
}
