// Works around a crash in Foundation's `Process.run()` on Linux (swift-corelibs-foundation
// PR #5472, fixed upstream in 2026, present in the Swift 6.3.1 toolchain this project builds
// with): to emulate POSIX_SPAWN_CLOEXEC_DEFAULT it lists /proc/self/fd with readdir(3) and copies
// each entry's whole 256-byte `d_name`, although glibc packs entries by `d_reclen`. When an entry
// sits at the end of opendir's ~32 KiB buffer and that buffer ends within 256 bytes of unmapped
// memory, the copy faults and the whole test process dies (seen once in the parallel suite:
// "Bad pointer dereference" in memcpy under Process.run).
//
// It happens only when the listing fills that buffer (more than about 1,360 open descriptors:
// the parallel suite holds ~1,460 at its peak) and the buffer was carved from the very end of a
// malloc arena. A thread's arena grows by exactly what a request needs, so that is common there.
// The test binaries therefore (1) keep every thread on the main arena, which grows with a pad,
// (2) make that pad 64 MiB, so the heap's end lies 64 MiB beyond a fresh allocation rather than a
// few bytes, and (3) map allocations of 32 KiB or more on their own when the heap must grow
// (page-rounded, ~4 KiB of slack after opendir's buffer). Test binaries only; the `wharf`
// executable links nothing from here. The real fix is the toolchain's (or spawning without
// Foundation): see the closing note of session 9.
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "wharf_spawn_guard.h"

enum { wharf_spawn_guard_threshold = 32 * 1024 };

__attribute__((constructor)) static void wharf_spawn_guard_install(void) {
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, wharf_spawn_guard_threshold);
}

int wharf_spawn_guard_mmap_threshold(void) { return wharf_spawn_guard_threshold; }

size_t wharf_spawn_guard_heap_bytes_after(size_t request) {
    unsigned char *p = malloc(request);
    if (p == NULL) return 0;
    uintptr_t end = (uintptr_t)(p + malloc_usable_size(p));
    uintptr_t brk = (uintptr_t)sbrk(0);
    free(p);
    // An mmapped chunk (above the break) is page-rounded: its slack is what matters then.
    if (end > brk) return 4096 - (end % 4096 == 0 ? 4096 : end % 4096);
    return brk - end;
}

static void *wharf_spawn_guard_allocate_here(void *unused) {
    (void)unused;
    return malloc(64);
}

int wharf_spawn_guard_threads_use_the_main_heap(void) {
    pthread_t thread;
    void *p = NULL;
    if (pthread_create(&thread, NULL, wharf_spawn_guard_allocate_here, NULL) != 0) return 0;
    pthread_join(thread, &p);
    // The main arena is the brk heap: below the program break. A thread arena is an mmapped
    // heap far above it.
    int inMainHeap = p != NULL && (uintptr_t)p < (uintptr_t)sbrk(0);
    free(p);
    return inMainHeap;
}
