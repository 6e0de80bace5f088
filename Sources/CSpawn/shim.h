#ifndef CSPAWN_SHIM_H
#define CSPAWN_SHIM_H

#include <spawn.h>

// glibc 2.34+ has this, but declares it only under _GNU_SOURCE/__USE_MISC, which Swift's Glibc module does not
// see. The test rig needs it: a child started with posix_spawn inherits every descriptor of the test process
// that is not close-on-exec (libcurl's sockets are not, nor Foundation's pipes), and a child holding a copy of a
// socket keeps it open after the test closes it: the peer never sees the close.
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *_Nonnull actions, int from);

#endif
