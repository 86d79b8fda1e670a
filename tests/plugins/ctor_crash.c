/* ctor_crash: a shared object whose constructor raises SIGSEGV, i.e. it crashes inside
 * dlopen(), before the loader can read its magic. The loader's probe
 * (core/plugin_probe.c) must refuse it as "died while loading (signal 11, ...)" without
 * the countybrief process ever mapping it; with it in a plugin folder, reports still
 * render. */
#include <signal.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("ctor_crash", "1.0.0", "crashes in its constructor (tests only)")

__attribute__((constructor)) static void crash_on_load(void)
{
    raise(SIGSEGV);
}

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    return CB_OK;
}
