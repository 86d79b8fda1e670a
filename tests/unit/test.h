/*
 * test.h: a tiny unit-test harness. Each test file defines TEST(name) functions and lists
 * them in a `static const test_case tests[]` table ending in {0}, then TEST_MAIN(tests).
 * A failed ASSERT reports file:line and the values, marks the test failed and returns.
 * `test_NAME CASE` runs one case; a CASE that names none fails (exit 1), as no test ran.
 */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct test_case {
    const char *name;
    void (*fn)(int *failed);
} test_case;

#define TEST(name) static void name(int *test_failed_)
#define TEST_ENTRY(name) { #name, name }

#define TEST_FAIL_(...)                                                   \
    do {                                                                  \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                   \
        fprintf(stderr, __VA_ARGS__);                                     \
        fputc('\n', stderr);                                              \
        *test_failed_ = 1;                                                \
        return;                                                           \
    } while (0)

#define ASSERT(cond) do { if (!(cond)) TEST_FAIL_("assertion failed: %s", #cond); } while (0)
#define ASSERT_EQ_INT(a, b)                                                                \
    do {                                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                                \
        if (a_ != b_) TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);                \
    } while (0)
#define ASSERT_EQ_STR(a, b)                                                                \
    do {                                                                                   \
        const char *a_ = (a), *b_ = (b);                                                   \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                             \
            TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)",           \
                       b_ ? b_ : "(null)");                                                \
    } while (0)
#define ASSERT_NEAR(a, b, eps)                                                             \
    do {                                                                                   \
        double a_ = (a), b_ = (b);                                                         \
        if (fabs(a_ - b_) > (eps)) TEST_FAIL_("%s ~= %s: %g != %g", #a, #b, a_, b_);       \
    } while (0)
/* substring check, for error messages */
#define ASSERT_CONTAINS(hay, needle)                                                       \
    do {                                                                                   \
        const char *h_ = (hay), *n_ = (needle);                                            \
        if (!h_ || !strstr(h_, n_)) TEST_FAIL_("\"%s\" does not contain \"%s\"",          \
                                               h_ ? h_ : "(null)", n_);                    \
    } while (0)

#define TEST_MAIN(list)                                                                   \
    int main(int argc, char **argv)                                                       \
    {                                                                                     \
        int failed = 0, passed = 0;                                                       \
        for (const test_case *t = (list); t->name; t++) {                                 \
            if (argc > 1 && strcmp(argv[1], t->name) != 0) continue;                      \
            int f = 0;                                                                    \
            t->fn(&f);                                                                    \
            printf("%s %s\n", f ? "FAIL" : "ok  ", t->name);                              \
            if (f) failed++; else passed++;                                               \
        }                                                                                 \
        printf("%d passed, %d failed\n", passed, failed);                                 \
        if (passed + failed == 0) { /* a name that matches no test: nothing was checked */ \
            fprintf(stderr, "no test named %s\n", argv[1]);                               \
            return 1;                                                                     \
        }                                                                                 \
        return failed ? 1 : 0;                                                            \
    }

#endif /* CB_TEST_H */
