/*
 * What both supervisor probes (prober.c, tcpprobe.c) share: the clock they timestamp with (CLOCK_MONOTONIC, the
 * clock Node's process.hrtime uses, so the backend places their records on its migration timeline) and the stop
 * flag their SIGTERM/SIGINT handler sets.
 */
#ifndef THEMIS_PROBE_CLOCK_H
#define THEMIS_PROBE_CLOCK_H
#include <signal.h>
#include <stdint.h>
#include <time.h>

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
#endif
