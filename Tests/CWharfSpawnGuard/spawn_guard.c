// Works around a crash in Foundation's `Process.run()` on Linux (swift-corelibs-foundation
// PR #5472, fixed upstream in 2026, present in the Swift 6.3.1 toolchain this project builds
// with): to emulate POSIX_SPAWN_CLOEXEC_DEFAULT it lists /proc/self/fd with readdir(3) and copies
// each entry's whole 256-byte `d_name`, although glibc packs entries by `d_reclen`. When an entry
// sits at the end of opendir's ~32 KiB buffer and that buffer ends within 256 bytes of unmapped
// memory, the copy faults and the whole test process dies (seen once in the parallel suite:
// "Bad pointer dereference" in memcpy under Process.run).
//
// The tests start hundreds of child processes (kcat, Python clients, `wharf`, tmux), so instead
// of waiting for the fixed toolchain they make every allocation of 32 KiB or more its own mmap:
// opendir's buffer (32 KiB + the DIR header) then lives in a page-rounded mapping with about
// 4 KiB of slack after it, more than the 256-byte over-read. Test binaries only; the `wharf`
// executable links nothing from here.
#include <malloc.h>
#include <stdlib.h>
#include "wharf_spawn_guard.h"

enum { wharf_spawn_guard_threshold = 32 * 1024 };

__attribute__((constructor)) static void wharf_spawn_guard_install(void) {
    mallopt(M_MMAP_THRESHOLD, wharf_spawn_guard_threshold);
}

int wharf_spawn_guard_mmap_threshold(void) { return wharf_spawn_guard_threshold; }

size_t wharf_spawn_guard_usable_size_of(size_t request) {
    void *p = malloc(request);
    size_t usable = p ? malloc_usable_size(p) : 0;
    free(p);
    return usable;
}
