/* lua_trace.c: describing the stack of a report script (lua_int.h): where a limit struck
 * and the message handler's one-line traceback of the report's own frames. */
#include <stdio.h>
#include <string.h>

#include "lua_int.h"

#define TRACE_INNER 10 /* report frames shown from the innermost... */
#define TRACE_OUTER 3  /* ...and from the outermost, with "…" between on deeper stacks */
#define TRACE_SCAN 40  /* levels looked at from each end: C frames and load()ed chunks don't show */

/* One frame of a report file: fills where ("file:line") and frame ("file:line (name)");
 * 0 for C functions and load()ed strings, which have no file to point at. */
static int report_frame(lua_State *L, lua_Debug *ar, char *where, size_t wn, char *frame, size_t fn)
{
    if (!lua_getinfo(L, "Sln", ar) || ar->currentline <= 0 || ar->source[0] != '@') return 0;
    snprintf(where, wn, "%s:%d", ar->source + 1, ar->currentline);
    if (ar->name) snprintf(frame, fn, "%s:%d (%s)", ar->source + 1, ar->currentline, ar->name);
    else snprintf(frame, fn, "%s:%d", ar->source + 1, ar->currentline);
    return 1;
}

/* The level of the outermost frame, found as luaL_traceback does (lua_getstack walks the
 * frames from the innermost, so scanning them one by one would be quadratic). */
static int last_level(lua_State *L)
{
    lua_Debug ar;
    int li = 1, le = 1;
    while (lua_getstack(L, le, &ar)) {
        li = le;
        le *= 2;
    }
    while (li < le) {
        int m = (li + le) / 2;
        if (lua_getstack(L, m, &ar)) li = m + 1;
        else le = m;
    }
    return le - 1;
}

/* Describes the report's frames from `level` outwards: where gets the innermost as
 * "file:line" ("" if none), trace " [traceback: a:3 (f) < a:9]" ("" if none). A deep stack
 * (runaway recursion) shows its TRACE_INNER innermost and TRACE_OUTER outermost report
 * frames with " < …" between, so this costs little however deep the stack is. It only
 * reads the stack and allocates nothing from Lua: the allocator, the CPU hook and the
 * message handler all use it. */
void cb_lua__describe_stack(lua_State *L, int level, char *where, size_t wn, char *trace, size_t tn)
{
    lua_Debug ar;
    char w[CB_LUA_WHERE_MAX], frame[CB_LUA_WHERE_MAX + 64];
    size_t len = 0;
    int shown = 0, lv;
    where[0] = trace[0] = '\0';
#define ADD(...)                                                                     \
    do {                                                                             \
        if (len < tn) {                                                              \
            int k_ = snprintf(trace + len, tn - len, __VA_ARGS__);                   \
            if (k_ > 0) len += (size_t)k_ < tn - len ? (size_t)k_ : tn - len - 1;    \
        }                                                                            \
    } while (0)
    for (lv = level; shown < TRACE_INNER && lv < level + TRACE_SCAN && lua_getstack(L, lv, &ar); lv++) {
        if (!report_frame(L, &ar, w, sizeof w, frame, sizeof frame)) continue;
        if (!where[0]) snprintf(where, wn, "%s", w);
        ADD("%s%s", shown++ ? " < " : " [traceback: ", frame);
    }
    if (lua_getstack(L, lv, &ar)) { /* more frames: the outermost few */
        int last = last_level(L), nout = 0, gap = 0;
        char outer[TRACE_OUTER][CB_LUA_WHERE_MAX + 64], outer_where[CB_LUA_WHERE_MAX] = "";
        int l2;
        for (l2 = last; l2 >= lv && l2 > last - TRACE_SCAN && nout < TRACE_OUTER; l2--) {
            if (!lua_getstack(L, l2, &ar) || !report_frame(L, &ar, w, sizeof w, outer[nout], sizeof outer[0]))
                continue;
            snprintf(outer_where, sizeof outer_where, "%s", w);
            nout++;
        }
        gap = l2 >= lv; /* levels between the two ends were not looked at */
        if (!where[0]) snprintf(where, wn, "%s", outer_where);
        if (gap && (shown || nout)) ADD("%s…", shown++ ? " < " : " [traceback: ");
        while (nout > 0) ADD("%s%s", shown++ ? " < " : " [traceback: ", outer[--nout]);
    }
    if (shown) ADD("]");
#undef ADD
}
/* For "attempt to index a nil value (global 'io')": what is missing on purpose. */
static const char *absent_hint(const char *msg)
{
    static const char *const absent[][2] = {
        {"(global 'io')", "; report scripts have no io library: they cannot read or write files"},
        {"(global 'package')", "; report scripts have no package library: use require"},
        {"(global 'debug')", "; report scripts have no debug library"},
        {"(global 'coroutine')", "; report scripts have no coroutine library"},
        {"(global 'dofile')", "; report scripts have no dofile: use require"},
        {"(global 'loadfile')", "; report scripts have no loadfile: use require"},
        {"(field 'dump')", "; report scripts have no string.dump: load takes text only"},
    };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        if (strstr(msg, absent[i][0])) return absent[i][1];
    return "";
}

/* Message handler: the error plus the report's own frames, on one line. It runs where the
 * error was raised, so it also places "not enough memory" from a library's buffer. */
int cb_lua__traceback_handler(lua_State *L)
{
    run_ctx *c = cb_lua__ctx(L);
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = luaL_tolstring(L, 1, NULL);
    char where[CB_LUA_WHERE_MAX], trace[CB_LUA_TRACE_MAX];
    cb_lua__describe_stack(L, 1, where, sizeof where, trace, sizeof trace);
    if (c->refusals && strcmp(msg, "not enough memory") == 0 && where[0]) {
        memcpy(c->mem_where, where, sizeof where);
        memcpy(c->mem_trace, trace, sizeof trace);
    }
    /* a long message is cut here, so that the traceback stays and the count is right;
     * cb_fail cleans the whole */
    char out[CB_ERROR_MSG_MAX + CB_LUA_TRACE_MAX];
    size_t len = strlen(msg), keep = CB_ERROR_MSG_MAX / 2;
    if (len > keep)
        while (keep > 0 && ((unsigned char)msg[keep] & 0xC0) == 0x80) keep--; /* whole characters */
    if (len > keep) snprintf(out, sizeof out, "%.*s… %zu bytes more%s", (int)keep, msg, len - keep, trace);
    else snprintf(out, sizeof out, "%s%s%s", msg, absent_hint(msg), trace);
    lua_pushstring(L, out);
    return 1;
}

