/* sync_modes.c - how to make K appended files durable at once on this disk (issue 17's group
 * commit across partitions): each round appends 100 bytes to each of K files, then makes them
 * durable one of three ways, and prints the round time's p50/p90/p99:
 *   seq     fdatasync of each file, one after another
 *   par     fdatasync of each file, each on its own thread, all at once
 *   syncfs  one syncfs(2) on the filesystem
 * Build and run (in the directory to measure):
 *   cc -O2 -o sync_modes Benchmarks/sync_modes.c -lpthread
 *   for k in 1 4 16; do for m in seq par syncfs; do ./sync_modes $k 300 $m; done; done
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_FILES = 64 };
static int fds[MAX_FILES];

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *sync_one(void *arg) {
    fdatasync(fds[(long)arg]);
    return NULL;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FILES ROUNDS seq|par|syncfs\n", argv[0]); return 2; }
    int k = atoi(argv[1]), rounds = atoi(argv[2]);
    const char *mode = argv[3];
    if (k < 1 || k > MAX_FILES || rounds < 1) { fprintf(stderr, "1 <= FILES <= %d, ROUNDS >= 1\n", MAX_FILES); return 2; }
    char record[100];
    memset(record, 'x', sizeof record);
    for (int i = 0; i < k; i++) {
        char path[32];
        snprintf(path, sizeof path, "sync_modes.%d", i);
        fds[i] = open(path, O_CREAT | O_WRONLY | O_APPEND | O_TRUNC, 0644);
        if (fds[i] < 0) { perror(path); return 1; }
    }
    double *took = malloc(sizeof(double) * rounds);
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < k; i++)
            if (write(fds[i], record, sizeof record) != sizeof record) { perror("write"); return 1; }
        double start = now_ms();
        if (!strcmp(mode, "seq")) {
            for (int i = 0; i < k; i++) fdatasync(fds[i]);
        } else if (!strcmp(mode, "par")) {
            pthread_t threads[MAX_FILES];
            for (long i = 0; i < k; i++) pthread_create(&threads[i], NULL, sync_one, (void *)i);
            for (int i = 0; i < k; i++) pthread_join(threads[i], NULL);
        } else {
            syncfs(fds[0]);
        }
        took[r] = now_ms() - start;
    }
    qsort(took, rounds, sizeof(double), by_value);
    printf("%s files=%d p50=%.3fms p90=%.3fms p99=%.3fms\n", mode, k, took[rounds / 2], took[rounds * 9 / 10], took[rounds * 99 / 100]);
    for (int i = 0; i < k; i++) {
        char path[32];
        snprintf(path, sizeof path, "sync_modes.%d", i);
        close(fds[i]);
        unlink(path);
    }
    free(took);
    return 0;
}
