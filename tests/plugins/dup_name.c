/* dup_name: a different plugin that calls itself "good", the name of good.c's plugin.
 * Loaded after good, it must be refused before its init runs ("a plugin named 'good' is
 * already loaded from PATH"); the init below would print a marker the test checks for. */
#include <stdio.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("good", "2.0.0", "another plugin with good's name")

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    fputs("dup_name: PLUGIN CODE RAN\n", stderr);
    return CB_OK;
}
