/* wrong_major: a plugin built for plugin ABI major CB_PLUGIN_ABI_MAJOR + 1. The loader must
 * refuse it from its magic alone ("major version differs"), without running any of its code:
 * the init below would print a marker that tests/e2e/plugins.sh checks is never seen. The
 * magic is written by hand because CB_PLUGIN_MAGIC always uses the host's own version. */
#include <stdio.h>

#include "countybrief/plugin.h"

CB_PLUGIN_EXPORT const cb_plugin_magic_info *cb_plugin_magic(void)
{
    static const cb_plugin_magic_info info = {sizeof(cb_plugin_magic_info), CB_PLUGIN_ABI_MAJOR + 1,
                                              0, "wrong_major", "1.0.0",
                                              "built for the next plugin ABI major",
                                              CB_PLUGIN_LUA_ABI};
    return &info;
}

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    fputs("wrong_major: PLUGIN CODE RAN\n", stderr);
    return CB_OK;
}
