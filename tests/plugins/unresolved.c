/* unresolved: calls a function no library defines. It links (see CMakeLists.txt: undefined
 * symbols are allowed in this module) but dlopen(RTLD_NOW) fails, naming the symbol: the
 * loader refuses it as "not a loadable shared object (... undefined symbol: ...)". */
#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("unresolved", "1.0.0", "needs a symbol nothing provides (tests only)")

extern int cb_test_no_such_function(void);

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    return cb_test_no_such_function();
}
