/* no_magic: a valid shared object that is not a countybrief plugin: it exports
 * cb_plugin_init (which must never run) and another function, but no cb_plugin_magic.
 * The loader must refuse it naming the missing cb_plugin_magic symbol. */
#include <stdio.h>

#include "countybrief/plugin.h"

CB_PLUGIN_EXPORT int some_other_library_function(int x) { return 2 * x; }

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    fputs("no_magic: PLUGIN CODE RAN\n", stderr);
    return CB_OK;
}
