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

/* The folder holding CMakeCache.txt above the running binary, or "" outside a build tree. */
static const char *build_dir(void)
{
    static char found[PATH_MAX];
    static int looked;
    if (looked) return found;
    looked = 1;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return found;
    exe[n] = '\0';
    for (char *slash = strrchr(exe, '/'); slash && slash != exe; slash = strrchr(exe, '/')) {
        *slash = '\0';
        char *cache = cb_path_join(exe, "CMakeCache.txt");
        int here = cb_is_file(cache);
        free(cache);
        if (here) {
            snprintf(found, sizeof found, "%s", exe);
            break;
        }
    }
    return found;
}

/* EXE_DIR/../rel (the executable's folder), resolved into out if ok(it) holds: how an
 * installed binary finds what was installed beside it under the same prefix. */
static int beside_exe(const char *rel, int (*ok)(const char *), char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    char *path = cb_xasprintf("%s/../%s", exe, rel);
    char real[PATH_MAX];
    int found = ok(path) && realpath(path, real);
    if (found) snprintf(out, cap, "%s", real);
    free(path);
    return found;
}

const char *cb_plugin_dir(void)
{
    static char found[PATH_MAX + 16];
    if (found[0]) return found;
    if (beside_exe(CB_INSTALL_PLUGIN_REL, cb_is_dir, found, sizeof found)) return found;
    if (build_dir()[0]) snprintf(found, sizeof found, "%s/plugins", build_dir());
    else snprintf(found, sizeof found, "%s", CB_INSTALL_PLUGIN_DIR);
    return found;
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
    /* installed: PREFIX/bin/countybrief -> PREFIX/share/countybrief */
    if (beside_exe("share/countybrief", is_share, found, sizeof found)) return found;
    /* build tree: the binary sits below the build folder, which knows its sources */
    if (build_dir()[0] && is_share(CB_SOURCE_SHARE)) {
        snprintf(found, sizeof found, "%s", CB_SOURCE_SHARE);
        return found;
    }
    snprintf(found, sizeof found, "%s", is_share(CB_INSTALL_SHARE) ? CB_INSTALL_SHARE : CB_SOURCE_SHARE);
    return found;
}
