#ifndef WHARF_SPAWN_H
#define WHARF_SPAWN_H

#include <sys/types.h>

/// Starts `path` (searched in PATH when it has no slash) with `argv` and `envp`, the child's
/// descriptors 0, 1 and 2 made from `stdin_fd`, `stdout_fd` and `stderr_fd`, and every other
/// descriptor closed in the child (close_range, no /proc listing in the parent), every signal
/// at its default and none blocked. Returns 0 and sets `*pid`, or an errno value.
int wharf_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                int stdin_fd, int stdout_fd, int stderr_fd);

/// pipe2(2) with O_CLOEXEC: neither end leaks into a child spawned meanwhile by another thread.
int wharf_pipe(int fds[2]);

#endif
