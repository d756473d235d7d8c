#ifndef WHARF_SPAWN_GUARD_H
#define WHARF_SPAWN_GUARD_H
#include <stddef.h>
/// The malloc mmap threshold the test binaries set at load time (see spawn_guard.c for why).
int wharf_spawn_guard_mmap_threshold(void);
/// malloc_usable_size of a fresh `request`-byte allocation: page-rounded when it was mmapped.
size_t wharf_spawn_guard_usable_size_of(size_t request);
#endif
