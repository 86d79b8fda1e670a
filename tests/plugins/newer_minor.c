/* newer_minor: a plugin built for plugin ABI CB_PLUGIN_ABI_MAJOR.(CB_PLUGIN_ABI_MINOR + 1),
 * i.e. for a newer host than this one. The loader must refuse it ("newer ... upgrade
 * countybrief") before running any of its code: the init below would print a marker that
 * tests/e2e/plugins.sh checks is never seen. */
#include <stdio.h>

#include "countybrief/plugin.h"

CB_PLUGIN_EXPORT const cb_plugin_magic_info *cb_plugin_magic(void)
{
    static const cb_plugin_magic_info info = {sizeof(cb_plugin_magic_info), CB_PLUGIN_ABI_MAJOR,
                                              CB_PLUGIN_ABI_MINOR + 1, "newer_minor", "1.0.0",
                                              "built for a newer plugin ABI minor",
                                              CB_PLUGIN_LUA_ABI};
    return &info;
}

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    fputs("newer_minor: PLUGIN CODE RAN\n", stderr);
    return CB_OK;
}
