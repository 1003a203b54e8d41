/*
 * themis-prober: runs in the supervisor namespace; sends one UDP probe to the guest's responder every
 * interval and timestamps each reply (CLOCK_MONOTONIC, the clock Node's process.hrtime uses, so the
 * backend can place probes on its migration timeline).
 *
 * usage: themis-prober ADDR PORT INTERVAL_US MAX_S OUT_FILE
 * stdout: "first <ns>" at the first reply, then "alive <ns>" at most every 20 ms while replies arrive.
 * On SIGTERM/SIGINT or after MAX_S: waits 200 ms for late replies, then writes OUT_FILE:
 *   "# themis-prober interval_us=N sent=N" and one line per probe "seq send_ns recv_ns" (recv_ns 0 = lost),
 * and prints "done <sent>".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe-clock.h"

#define MAGIC 0x7e1115u

struct probe {
  uint32_t magic, run, seq, pad;
  uint64_t send_ns;
};


int main(int argc, char **argv) {
  if (argc != 6) return fprintf(stderr, "usage: %s ADDR PORT INTERVAL_US MAX_S OUT_FILE\n", argv[0]), 2;
  uint64_t interval_ns = (uint64_t)atoll(argv[3]) * 1000ull;
  double max_s = atof(argv[4]);
  if (interval_ns < 10000) interval_ns = 10000;
  size_t cap = (size_t)(max_s * 1e9 / (double)interval_ns) + 16;
  uint64_t *sent = calloc(cap, 8), *got = calloc(cap, 8);
  if (!sent || !got) return perror("calloc"), 1;
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) return fprintf(stderr, "bad address %s\n", argv[1]), 2;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return perror("socket"), 1;
  fcntl(s, F_SETFL, O_NONBLOCK);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  setvbuf(stdout, NULL, _IOLBF, 0);
  uint32_t run = (uint32_t)getpid();
  uint64_t t0 = now_ns(), next = t0, deadline = t0 + (uint64_t)(max_s * 1e9), drain_until = 0, last_alive = 0;
  size_t n = 0;
  int first = 1;
  for (;;) {
    uint64_t now = now_ns();
    if (!drain_until && (stop || now >= deadline || n >= cap)) drain_until = now + 200000000ull;
    if (drain_until && now >= drain_until) break;
    if (!drain_until && now >= next) {
      struct probe p = {MAGIC, run, (uint32_t)n, 0, now};
      sent[n++] = now;
      if (sendto(s, &p, sizeof p, 0, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EAGAIN && errno != ENETUNREACH &&
          errno != EHOSTUNREACH && errno != ECONNREFUSED)
        perror("sendto");
      next += interval_ns;
      if (next < now) next = now + interval_ns; /* after a stall, keep the cadence rather than burst */
    }
    uint64_t wake = drain_until ? drain_until : next;
    now = now_ns();
    struct timespec to = {0, 0};
    if (wake > now) to.tv_nsec = (long)(wake - now < 999999999ull ? wake - now : 999999999ull);
    struct pollfd pfd = {.fd = s, .events = POLLIN};
    if (ppoll(&pfd, 1, &to, NULL) <= 0) continue;
    struct probe r;
    while (recv(s, &r, sizeof r, 0) == (ssize_t)sizeof r) {
      uint64_t at = now_ns();
      if (r.magic != MAGIC || r.run != run || r.seq >= n || got[r.seq]) continue;
      got[r.seq] = at;
      if (first) {
        printf("first %llu\n", (unsigned long long)at);
        first = 0;
      }
      if (at - last_alive >= 20000000ull) {
        printf("alive %llu\n", (unsigned long long)at);
        last_alive = at;
      }
    }
  }
  FILE *f = fopen(argv[5], "w");
  if (!f) return perror(argv[5]), 1;
  fprintf(f, "# themis-prober interval_us=%llu sent=%zu\n", (unsigned long long)(interval_ns / 1000), n);
  for (size_t i = 0; i < n; i++) fprintf(f, "%zu %llu %llu\n", i, (unsigned long long)sent[i], (unsigned long long)got[i]);
  fclose(f);
  printf("done %zu\n", n);
  return 0;
}
