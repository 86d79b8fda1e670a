/* init_abort: valid magic, but cb_plugin_init calls abort(), after printing a warning. The
 * probe must refuse it as "died while loading (signal 6, Aborted)", and show the warning
 * its init gave before dying. */
#include <stdlib.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("init_abort", "1.0.0", "aborts in its init (tests only)")

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    api->warn(self, "init_abort: about to abort (on purpose)");
    abort();
}
