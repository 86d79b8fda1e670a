/* init_hang: valid magic, but cb_plugin_init never returns. The probe must stop it at the
 * deadline (COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT, default 5 s) and refuse it as "hung while
 * loading". */
#include <unistd.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("init_hang", "1.0.0", "never returns from its init (tests only)")

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    for (;;) pause();
}
