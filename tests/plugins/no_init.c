/* no_init: a plugin with a valid magic (current ABI) but no cb_plugin_init. The loader must
 * refuse it naming the missing cb_plugin_init symbol. */
#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("no_init", "1.0.0", "declares itself but has no cb_plugin_init")
