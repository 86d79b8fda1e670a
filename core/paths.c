/* paths.c: see paths.h. */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int is_share(const char *dir)
{
    char *p = cb_path_join(dir, "scripts/briefing.lua");
    int ok = cb_is_file(p);
    free(p);
    return ok;
}

const char *cb_share_dir(void)
{
    static char found[PATH_MAX];
    if (found[0]) return found;
    const char *env = getenv("COUNTYBRIEF_SHARE");
    if (env && *env) {
        snprintf(found, sizeof found, "%s", env);
        return found;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        /* installed: PREFIX/bin/countybrief -> PREFIX/share/countybrief */
        char *rel = cb_xasprintf("%s/../share/countybrief", exe);
        char real[PATH_MAX];
        if (is_share(rel) && realpath(rel, real)) {
            snprintf(found, sizeof found, "%s", real);
            free(rel);
            return found;
        }
        free(rel);
        /* build tree: the binary sits below the build folder, which knows its sources */
        if (is_share(CB_SOURCE_SHARE)) {
            char *cache = NULL;
            for (char *dir = cb_xstrdup(exe); dir; ) {
                cache = cb_path_join(dir, "CMakeCache.txt");
                int here = cb_is_file(cache);
                free(cache);
                char *up = strrchr(dir, '/');
                if (here || !up || up == dir) {
                    free(dir);
                    if (here) {
                        snprintf(found, sizeof found, "%s", CB_SOURCE_SHARE);
                        return found;
                    }
                    break;
                }
                *up = '\0';
            }
        }
    }
    snprintf(found, sizeof found, "%s", is_share(CB_INSTALL_SHARE) ? CB_INSTALL_SHARE : CB_SOURCE_SHARE);
    return found;
}
