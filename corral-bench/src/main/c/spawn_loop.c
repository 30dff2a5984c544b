/* The physical reference: posix_spawn(POSIX_SPAWN_SETSID) + waitpid of /bin/true, N times.
   Prints the median and p90 per spawn in microseconds. Built and run by ./bench. */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  double *t = malloc(sizeof(double) * n);
  char *args[] = {"/bin/true", NULL};
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  for (int i = 0; i < n; i++) {
    struct timespec a, b;
    pid_t pid;
    int status;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (posix_spawn(&pid, args[0], NULL, &attr, args, environ) != 0) return 1;
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    t[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
  }
  qsort(t, n, sizeof(double), cmp);
  printf("c_posix_spawn median_us=%.1f p90_us=%.1f n=%d\n", t[n / 2], t[n * 9 / 10], n);
  return 0;
}
