/*
 * paths.h: where the engine finds its own files (scripts/, templates/, examples/).
 *
 * A binary run from its build tree uses the source tree it was built from; an installed
 * binary uses PREFIX/share/countybrief, found relative to the executable first (so an
 * installed tree can be moved), then at the configured install path. COUNTYBRIEF_SHARE
 * overrides both. The current directory never matters.
 */
#ifndef CB_PATHS_H
#define CB_PATHS_H

/* The share folder, without a trailing slash. Never NULL; the string is static. */
const char *cb_share_dir(void);

/* The default plugin folder: BUILD/plugins in a build tree, PREFIX/lib/countybrief/plugins
 * once installed. Never NULL; the string is static. */
const char *cb_plugin_dir(void);

#endif /* CB_PATHS_H */
