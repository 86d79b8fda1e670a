/* test_cover_limits.c: core/lua_limits.c branch by branch (tests/README.md, coverage): the
 * hard stop's exit status read back (no limits given, no budget, a signal, another code), a
 * limit too large for a size (no cap), which outcomes count as a limit reached, and
 * descriptions run under the limits: a budget under a nanosecond (the timer armed with 1
 * ns, never 0, which would disarm it), memory refused while the file loads (no line of
 * Lua to name: the file is). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua_int.h"
#include "lua_limits.h"
#include "test.h"

/* A description file in /tmp holding text; its path in a static buffer. */
static const char *description(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/cb-cover-limits-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) path[0] = '\0';
    close(fd);
    return path;
}

TEST(exit_status_of_the_hard_stop)
{
    char buf[128] = "";
    int stuck = CB_LUA_EXIT_STUCK << 8; /* as waitpid reports exit(CB_LUA_EXIT_STUCK) */
    ASSERT_EQ_INT(cb_lua_describe_exit(stuck, NULL, buf, sizeof buf), 1); /* the default budget */
    char want[128];
    snprintf(want, sizeof want, "CPU budget of %g s exceeded (stuck in a library call)", (double)CB_LUA_DEFAULT_CPU_BUDGET_S);
    ASSERT_EQ_STR(buf, want);
    cb_lua_limits some = {0, 2.5};
    ASSERT_EQ_INT(cb_lua_describe_exit(stuck, &some, buf, sizeof buf), 1);
    ASSERT_EQ_STR(buf, "CPU budget of 2.5 s exceeded (stuck in a library call)");
    cb_lua_limits none = {0, -1};
    ASSERT_EQ_INT(cb_lua_describe_exit(stuck, &none, buf, sizeof buf), 0); /* no budget: no stop */
    ASSERT_EQ_INT(cb_lua_describe_exit(SIGKILL, &some, buf, sizeof buf), 0);  /* killed by a signal */
    ASSERT_EQ_INT(cb_lua_describe_exit(3 << 8, &some, buf, sizeof buf), 0);   /* another exit code */
}

TEST(limits_as_used)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    cb_lua_limits huge = {1e30, -1};
    cb_lua__set_limits(&c, &huge);
    ASSERT(c.cap == 0); /* past SIZE_MAX: no cap */
    ASSERT(c.budget_s == 0);
    cb_lua_limits small = {2, 3};
    cb_lua__set_limits(&c, &small);
    ASSERT(c.cap == 2u << 20);
    ASSERT(c.budget_s == 3);
}

TEST(which_outcomes_are_a_limit)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.cpu_hit = 1;
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_OK, NULL), 1);
    c.cpu_hit = 0;
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_ERRMEM, NULL), 0); /* no refusal of ours */
    c.refusals = 1;
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_OK, NULL), 0);
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_ERRMEM, NULL), 1);
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_ERRERR, NULL), 1);
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_ERRRUN, "not enough memory"), 1); /* charged by doc */
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_ERRRUN, "x.lua:1: boom"), 0);
    ASSERT_EQ_INT(cb_lua__limit_hit(&c, LUA_ERRRUN, NULL), 0); /* an error object not a string */
}

TEST(description_under_a_nanosecond_of_budget)
{
    const char *path = description("local n = 0\nwhile true do n = n + 1 end\n");
    ASSERT(path && path[0]);
    cb_lua_limits l = {0, 1e-10};
    cb_error err;
    struct lua_State *L = cb_lua_run_description(path, &l, CB_ETEMPLATE, &err);
    ASSERT(L == NULL);
    ASSERT_EQ_INT(err.code, CB_ETEMPLATE);
    ASSERT_CONTAINS(err.msg, "CPU budget of 1e-10 s exceeded");
    unlink(path);
}

TEST(description_too_large_to_load)
{
    /* a 200 KB string constant, over a limit of 0.05 MiB as the file loads: no line yet */
    size_t n = 200000;
    char *text = malloc(n + 32);
    ASSERT(text != NULL);
    strcpy(text, "return \"");
    memset(text + 8, 'a', n);
    strcpy(text + 8 + n, "\"\n");
    const char *path = description(text);
    free(text);
    ASSERT(path && path[0]);
    cb_lua_limits l = {0.05, 0};
    cb_error err;
    struct lua_State *L = cb_lua_run_description(path, &l, CB_ETEMPLATE, &err);
    ASSERT(L == NULL);
    char want[160];
    snprintf(want, sizeof want, "%s: not enough memory: it needs more than its memory limit of 0.05 MiB", path);
    ASSERT_CONTAINS(err.msg, want);
    unlink(path);
}

static const test_case tests[] = {
    TEST_ENTRY(exit_status_of_the_hard_stop),
    TEST_ENTRY(limits_as_used),
    TEST_ENTRY(which_outcomes_are_a_limit),
    TEST_ENTRY(description_under_a_nanosecond_of_budget),
    TEST_ENTRY(description_too_large_to_load),
    {0},
};

TEST_MAIN(tests)
