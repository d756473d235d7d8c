#define _GNU_SOURCE
#include "wharf_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

int wharf_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                int stdin_fd, int stdout_fd, int stderr_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    int sources[3] = {stdin_fd, stdout_fd, stderr_fd};
    for (int target = 0; target < 3 && rc == 0; target++) {
        rc = posix_spawn_file_actions_adddup2(&actions, sources[target], target);
    }
    // glibc closes the rest with close_range(2) in the child. Foundation's Process instead
    // lists /proc/self/fd in the parent and over-reads each entry (swift-corelibs-foundation
    // #5472), which faults once ~1,360 descriptors are open.
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    // The test process blocks SIGTERM and ignores SIGPIPE on some threads; a child inheriting
    // that would never stop on `terminate()` or would write on to a closed pipe.
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attributes, &all);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
    if (rc == 0) rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (rc == 0) rc = posix_spawnp(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}


int wharf_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
