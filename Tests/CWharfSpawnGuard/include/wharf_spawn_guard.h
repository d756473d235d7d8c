#ifndef WHARF_SPAWN_GUARD_H
#define WHARF_SPAWN_GUARD_H
#include <stddef.h>
/// The malloc mmap threshold the test binaries set at load time (see spawn_guard.c for why).
int wharf_spawn_guard_mmap_threshold(void);
/// Mapped bytes after a fresh `request`-byte allocation (to the program break, or to the end of
/// its own mapping).
size_t wharf_spawn_guard_heap_bytes_after(size_t request);
/// Whether a fresh thread's allocation comes from the main (brk) heap.
int wharf_spawn_guard_threads_use_the_main_heap(void);
#endif
