/*
 * lua_prelude.c: reading a report's declarations (report { ... } and needs { ... }, lua_decl.c)
 * before any county runs: cb_lua_report_prelude (lua_api.h). They are found in the
 * script's text, run in this process when they are plain, else in a child process whose
 * result comes back on a pipe.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "lua_api.h"
#include "lua_int.h"

/* The declarations at the top of a script are found in its text, so that only they run
 * before the counties do: report { ... } and needs { ... } calls, in any order, before
 * any other statement (comments, a BOM and a #! line may come first). Where one statement
 * ends is the one thing asked of the text that Lua cannot answer: its C API has no parser
 * or token stream (llex.h and lparser.h are not installed), and running the script cannot
 * tell a statement that touches no global (local x = 1) from none. So this small scanner
 * stays, knowing only blanks, comments, strings and brackets; what the declarations may
 * do is Lua's to decide (plain_declarations). */

/* Past the long bracket ([[ ]], [==[ ]==]) that starts at s, or NULL if there is none. */
static const char *long_bracket_end(const char *s)
{
    size_t eq = strspn(s + 1, "=");
    if (s[1 + eq] != '[' || eq > 60) return NULL;
    char close[64] = "]";
    memset(close + 1, '=', eq);
    close[1 + eq] = ']';
    close[2 + eq] = '\0';
    const char *e = strstr(s + 2 + eq, close);
    return e ? e + 2 + eq : NULL;
}

/* s past spaces and comments. */
static const char *skip_blank(const char *s)
{
    for (;;) {
        s += strspn(s, " \t\r\n\f\v");
        if (strncmp(s, "--", 2) != 0) return s;
        s += 2;
        const char *e = s[0] == '[' ? long_bracket_end(s) : NULL;
        s = e ? e : s + strcspn(s, "\n");
    }
}

/* Past the quoted string that starts at s, or NULL if it does not end on its line. */
static const char *skip_quoted(const char *s)
{
    char q = *s++;
    for (; *s && *s != q && *s != '\n'; s++)
        if (*s == '\\' && s[1]) s++;
    return *s == q ? s + 1 : NULL;
}

/* Past the bracketed group ({ }, ( )) that starts at s, strings and comments skipped; NULL
 * if it does not close. */
static const char *skip_group(const char *s)
{
    int depth = 0;
    for (;;) {
        s = skip_blank(s);
        const char *e = s;
        if (*s == '"' || *s == '\'') e = skip_quoted(s);
        else if (*s == '[' && long_bracket_end(s)) e = long_bracket_end(s); /* else t[k] */
        if (!e) return NULL;
        if (e != s) {
            s = e;
            continue;
        }
        if (!*s) return NULL;
        if (*s == '{' || *s == '(' || *s == '[') depth++;
        else if ((*s == '}' || *s == ')' || *s == ']') && --depth == 0) return s + 1;
        s++;
    }
}

static int ident_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* How many report/needs calls open the script text s; *end: past the last of them. */
static int count_declarations(const char *s, const char **end)
{
    if (!strncmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    if (s[0] == '#') s += strcspn(s, "\n");
    int n = 0;
    for (*end = s;;) {
        s = skip_blank(s);
        size_t id = !strncmp(s, "needs", 5) ? 5 : !strncmp(s, "report", 6) ? 6 : 0;
        if (!id || ident_char(s[id])) return n;
        const char *p = skip_blank(s + id);
        if (*p != '{' && *p != '(') return n;
        if (!(p = skip_group(p))) return n;
        n++;
        *end = s = skip_blank(p);
        if (*s == ';') s++;
    }
}

/*
 * Whether the declarations can run in this process: Lua itself decides, rather than a
 * lexer of ours. They (the text up to end) are compiled by Lua's parser and run in a bare
 * state: no library, no metatable, an environment holding only report, needs and optional
 * (each returning its argument), a bound on the instructions run and on the memory. If
 * they finish there, they call no C function but those three (any other name reads as
 * nil there, and calling, indexing or doing arithmetic on it fails, as does any method or
 * metamethod of a string), and run in time and memory bounded by their length: in the
 * real state too, with the same text, they cannot get stuck where only the hard stop could
 * end them. Literals, tables and names, as nearly every report's declarations are, finish;
 * a library call, a loop that runs on, a metatable do not. Whatever fails here is only
 * read in the child, never refused: this decides where, not whether.
 */
#define PLAIN_STEPS(len) (1000 + 4 * (len))      /* instructions: a few per token */
#define PLAIN_MEMORY(len) (262144 + 64 * (len)) /* bytes: the parser's and the tables' */

static int plain_stub(lua_State *L)
{
    lua_settop(L, 1);
    return 1;
}

static void plain_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    luaL_error(L, "more steps than plain declarations take");
}

/* Loads the text (light userdata 1, length 2) and runs it with the stubs as _ENV. */
static int plain_run(lua_State *L)
{
    const char *text = lua_touserdata(L, 1);
    if (cb_lua_load_text(L, text, (size_t)lua_tointeger(L, 2), "=declarations") != LUA_OK) return lua_error(L);
    lua_createtable(L, 0, 3);
    static const char *const names[] = {"report", "needs", "optional"};
    for (int i = 0; i < 3; i++) {
        lua_pushcfunction(L, plain_stub);
        lua_setfield(L, -2, names[i]);
    }
    lua_setupvalue(L, -2, 1);
    lua_call(L, 0, 0);
    return 0;
}

static int plain_declarations(const char *text, const char *end)
{
    size_t len = (size_t)(end - text);
    if (len > INT_MAX / 8) return 0;
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.cap = PLAIN_MEMORY(len);
    lua_State *L = cb_lua__new_state(&c, "declarations", NULL);
    if (!L) return 0; /* not covered: lua_newstate failing */
    lua_sethook(L, plain_hook, LUA_MASKCOUNT, (int)PLAIN_STEPS(len));
    lua_pushcfunction(L, plain_run);
    lua_pushlightuserdata(L, (void *)text);
    lua_pushinteger(L, (lua_Integer)len);
    int plain = lua_pcall(L, 2, 0, 0) == LUA_OK;
    lua_close(L);
    return plain;
}

static void needs_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, needs_hook, LUA_MASKCOUNT, 1); /* from now on, at every instruction */
    luaL_error(L, "needs: not reached");
}

/* Reads the declarations in this process: the prelude proper. hard: with the CPU budget's
 * hard stop, which ends the process (only in the child). */
static int prelude_here(const cb_report_src *src, const cb_dataset *ds, int expected, int hard,
                        cb_needs *needs, cb_report_decl *decl, cb_error *err)
{
    cb_doc doc;
    cb_doc_init(&doc);
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.src = src;
    ctx.ds = ds;
    ctx.doc = &doc;
    ctx.needs_out = needs;
    ctx.decl_out = decl;
    ctx.decl_expected = expected;
    cb_lua__set_limits(&ctx, &src->limits);
    lua_State *L = cb_lua__new_state(&ctx, src->chunkname, err);
    if (!L) {
        cb_doc_free(&doc);
        return err ? err->code : CB_ENOMEM;
    }
    lua_setwarnf(L, cb_lua__on_warn, &ctx);
    lua_pushcfunction(L, cb_lua__traceback_handler);
    lua_pushcfunction(L, cb_lua__setup_state);
    int status = lua_pcall(L, 0, 1, 1);
    int rc = CB_OK;
    if (status == LUA_OK) {
        /* the declarations come first: a script that runs on without them is stopped soon */
        lua_sethook(L, needs_hook, LUA_MASKCOUNT, 1000000);
        rc = cb_lua__cpu_arm(&ctx, hard, err);
        if (rc == CB_OK) status = lua_pcall(L, 0, 0, 1);
        cb_lua__cpu_stop_script(&ctx);
    }
    const char *msg = status == LUA_OK ? NULL : lua_tostring(L, -1);
    if (rc != CB_OK) {
        /* the timers could not be armed: err is set */
    } else if (ctx.needs_bad) {
        rc = cb_fail(err, CB_ESCRIPT, "%s", msg ? msg : "bad declaration");
    } else if (cb_lua__limit_hit(&ctx, status, msg)) { /* it would stop every county the same way */
        rc = cb_lua__run_outcome(&ctx, status, src->chunkname, "the report", CB_ESCRIPT, err);
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (reading its declarations, report { } and needs { })");
    }
    if (rc != CB_OK || ctx.decl_seen < expected) {
        /* a bad declaration, or an error before the last one: the real run tells */
        cb_needs_free(needs);
        cb_report_decl_free(decl);
    }
    lua_close(L);
    cb_lua__cpu_disarm(&ctx);
    cb_doc_free(&doc);
    return rc;
}

/* The prelude's result travels from its child as "R", then rc, the message, the report
 * declaration and the needs, as u32 numbers and strings (u32 length, or ~0 for none, and
 * the bytes). The hard stop writes "S<script:line>" instead. */
static void put_u32(cb_buf *b, size_t v)
{
    uint32_t x = (uint32_t)v;
    cb_buf_add(b, &x, sizeof x);
}

static void put_str(cb_buf *b, const char *s)
{
    put_u32(b, s ? strlen(s) : UINT32_MAX);
    if (s) cb_buf_adds(b, s);
}

static void put_prelude(cb_buf *b, int rc, const cb_error *err, const cb_needs *n, const cb_report_decl *d)
{
    cb_buf_add(b, "R", 1);
    put_u32(b, (uint32_t)rc);
    put_str(b, rc == CB_OK ? "" : err->msg);
    put_u32(b, (size_t)d->declared);
    put_u32(b, (size_t)d->scope);
    put_str(b, d->output);
    put_u32(b, d->nlangs);
    for (size_t i = 0; i < d->nlangs; i++) put_str(b, d->langs[i]);
    put_u32(b, (size_t)n->declared);
    put_u32(b, n->ntables);
    for (size_t i = 0; i < n->ntables; i++) {
        const cb_need_table *t = &n->tables[i];
        put_str(b, t->name);
        put_u32(b, (size_t)t->optional);
        put_u32(b, t->ncols);
        for (size_t c = 0; c < t->ncols; c++) {
            put_str(b, t->cols[c]);
            put_str(b, t->types[c]);
        }
    }
}

typedef struct reader {
    const char *p, *end;
    int bad;
} reader;

static size_t get_u32(reader *r)
{
    uint32_t x = 0;
    if (r->end - r->p < (ptrdiff_t)sizeof x) r->bad = 1;
    else memcpy(&x, r->p, sizeof x), r->p += sizeof x;
    return r->bad ? 0 : x;
}

/* A string of the record, malloc'd (NULL: none, or the record is cut). */
static char *get_str(reader *r)
{
    size_t n = get_u32(r);
    if (r->bad || n == UINT32_MAX) return NULL;
    if ((size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    char *s = cb_xstrndup(r->p, n);
    r->p += n;
    return s;
}

/* Reads put_prelude's record; 0 if it is cut or malformed. */
static int get_prelude(reader *r, int *rc, cb_error *err, cb_needs *n, cb_report_decl *d)
{
    *rc = (int)get_u32(r);
    char *msg = get_str(r);
    if (msg && *rc != CB_OK) cb_fail(err, *rc, "%s", msg);
    free(msg);
    d->declared = (int)get_u32(r);
    d->scope = get_u32(r) ? CB_SCOPE_ALL : CB_SCOPE_COUNTY;
    d->output = get_str(r);
    size_t nl = get_u32(r);
    for (size_t i = 0; i < nl && i < CB_LANGS_MAX && !r->bad; i++) {
        char *l = get_str(r);
        snprintf(d->langs[d->nlangs++], sizeof d->langs[0], "%s", l ? l : "");
        free(l);
    }
    n->declared = (int)get_u32(r);
    size_t nt = get_u32(r);
    for (size_t i = 0; i < nt && !r->bad; i++) {
        n->tables = cb_xrealloc(n->tables, (n->ntables + 1) * sizeof *n->tables);
        cb_need_table *t = &n->tables[n->ntables++];
        memset(t, 0, sizeof *t);
        t->name = get_str(r);
        t->optional = (int)get_u32(r);
        size_t nc = get_u32(r);
        for (size_t c = 0; c < nc && !r->bad; c++) {
            t->cols = cb_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
            t->types = cb_xrealloc(t->types, (t->ncols + 1) * sizeof *t->types);
            t->cols[t->ncols] = get_str(r);
            t->types[t->ncols++] = get_str(r);
            if (!t->cols[t->ncols - 1] || !t->types[t->ncols - 1]) r->bad = 1;
        }
        if (!t->name) r->bad = 1;
    }
    return !r->bad && r->p == r->end;
}

/* The child's side: reads the declarations with every limit, sends the result, ends. */
static void prelude_child(int fd, const cb_report_src *src, const cb_dataset *ds, int expected)
{
    cb_needs needs;
    cb_report_decl decl;
    cb_error err;
    memset(&needs, 0, sizeof needs);
    memset(&decl, 0, sizeof decl);
    cb_lua__set_stuck_fd(fd);
    int rc = prelude_here(src, ds, expected, 1, &needs, &decl, &err);
    cb_lua__set_stuck_fd(-1);
    cb_buf b = {0};
    put_prelude(&b, rc, &err, &needs, &decl);
    cb_child_exit(cb_write_all(fd, b.s, b.len) != 0);
}

/* Compiles the script into this process's chunk cache (a compiled chunk runs no code), so
 * that the prelude's child and the workers forked later find it there, as when the prelude
 * ran in this process. A failure is left to the child, which meets it again. */
static void warm_chunk(const cb_report_src *src)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.src = src;
    cb_lua__set_limits(&c, &src->limits);
    lua_State *L = cb_lua__new_state(&c, src->chunkname, NULL);
    if (!L) return;
    cb_lua__load_script(L, src->path, src->chunkname);
    lua_close(L);
}

typedef struct prelude_args {
    const cb_report_src *src;
    const cb_dataset *ds;
    int expected;
} prelude_args;

static void prelude_body(void *ud, int in, int out)
{
    const prelude_args *a = ud;
    (void)in;
    prelude_child(out, a->src, a->ds, a->expected);
}

/*
 * The declarations run user code before any worker exists, and that code must be held to
 * the same limits as a county's run: memory (the capped allocator), CPU (the budget's
 * hook) and, for a script stuck inside one C call (string.find with a costly pattern, a
 * plugin's function), the hard stop, which can only end a process: no longjmp out of a
 * signal handler is safe where the C call may hold malloc's lock. Plain declarations
 * (plain_declarations: literals and tables, as nearly every report has; Lua tells) call
 * nothing that could get stuck, so they run here, under the cap and the CPU budget's soft stop. Any
 * other is read in a child process, which sends its result back on a pipe (if fork fails:
 * here, without the hard stop). The child costs a fork and the pages it touches: 1 to 2
 * ms on common hardware, about 20 ms on a virtual machine where page faults are dear.
 */
int cb_lua_report_prelude(const cb_report_src *src, const cb_dataset *ds, cb_needs *needs,
                          cb_report_decl *decl, cb_error *err)
{
    memset(needs, 0, sizeof *needs);
    memset(decl, 0, sizeof *decl);
    if (!ds->ncounties) return CB_OK;
    size_t len;
    cb_error rerr;
    char *text = cb_read_file(src->path, &len, &rerr);
    const char *end = NULL;
    int expected = text ? count_declarations(text, &end) : 0, plain = expected && plain_declarations(text, end);
    free(text);
    if (!expected) return CB_OK; /* nothing declared (declarations must come first) */
    if (plain) return prelude_here(src, ds, expected, 0, needs, decl, err);
    warm_chunk(src);
    /* its wall-time deadline (child.h): the CPU budget's (the default's when off) twice, and 10 s */
    double cpu = src->limits.cpu_budget_s > 0 ? src->limits.cpu_budget_s : CB_LUA_DEFAULT_CPU_BUDGET_S;
    prelude_args args = {src, ds, expected};
    cb_child child;
    if (cb_child_start(&child, 0, 2 * cpu + 10, prelude_body, &args) != 0)
        return prelude_here(src, ds, expected, 0, needs, decl, err);
    cb_buf b = {0};
    int killed = cb_child_read(&child, &b, NULL, NULL);
    int status = cb_child_reap(&child, killed);
    int rc = CB_OK;
    reader r = {b.s, b.s + b.len, 0};
    char why[128] = "CPU budget exceeded (stuck in a library call)";
    if (killed) {
        rc = cb_fail(err, CB_ESCRIPT, "%s: stopped after %.0f s of waiting (reading its declarations, report { } "
                     "and needs { }: blocked in a library call?)", src->chunkname, 2 * cpu + 10);
    } else if (b.len && b.s[0] == 'S') { /* the hard stop: stuck in one C call */
        cb_lua_describe_exit(status, &src->limits, why, sizeof why);
        rc = cb_fail(err, CB_ESCRIPT, "%s: %s (reading its declarations, report { } and needs { }; see --cpu-budget)",
                     b.len > 1 ? b.s + 1 : src->chunkname, why);
    } else if (b.len && b.s[0] == 'R' && (r.p++, get_prelude(&r, &rc, err, needs, decl))) {
        /* the child's result */
    } else { /* not covered: the child crashing, or a message cut short (get_prelude's r->bad) */
        cb_child_death(status, NULL, why, sizeof why);
        rc = cb_fail(err, CB_ESCRIPT, "%s: the process reading its declarations (report { } and needs { }) %s",
                     src->chunkname, why);
    }
    if (rc != CB_OK) {
        cb_needs_free(needs);
        cb_report_decl_free(decl);
    }
    cb_buf_free(&b);
    return rc;
}
