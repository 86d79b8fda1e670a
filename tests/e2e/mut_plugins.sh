#!/usr/bin/env bash
# mut_plugins.sh: registrations the plugin loader must refuse (mutants of tests/mutation/
# that plugins.sh lets through): a block name registered twice where the first is the last
# registration so far, and a block type of version 0. The test plugin mut_blocks
# (tests/plugins/mut_blocks.c) says how each was answered; the loader refuses it.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

cb plugins --plugin "$CB_BUILD/test-plugins/mut_blocks.so"
check "each registration answered as it must be" grep -qF \
    "plugin mut_blocks: test.mutone: first taken, second refused as a duplicate; version 0: refused as incomplete" \
    "$TMP/stderr"
check "the plugin is refused, naming the duplicate" grep -qF "block 'test.mutone' is already registered" "$TMP/stderr"
finish
