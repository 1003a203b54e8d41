/*
 * themis-tcpprobe: the TCP probe. Runs in the supervisor namespace beside the UDP prober; holds one long-lived
 * TCP connection to the guest's responder (a sink that acknowledges at once, backends/shared/guest/responder.c)
 * and writes a small message every interval. Progress is the kernel's count of acknowledged bytes
 * (TCP_INFO tcpi_bytes_acked), read every millisecond: during an outage the unacknowledged message is
 * retransmitted by Linux's own timer (tcp_retransmit_timer: RTO ≥ TCP_RTO_MIN 200 ms, doubled per retry), so the
 * time without progress is what an application's connection feels, back-off included.
 *
 * usage: themis-tcpprobe ADDR PORT INTERVAL_US MAX_S OUT_FILE
 * stdout: "connected <ns>", then "alive <ns>" at most every 20 ms while acknowledgements advance, and "reset <ns>"
 * when the guest ends the connection (a reboot forgets it: the guest answers the next retransmission with a RST),
 * after which the probe stops.
 * On SIGTERM/SIGINT or after MAX_S writes OUT_FILE:
 *   "# themis-tcpprobe interval_us=N sent=N acked_bytes=N connected_ns=N end_ns=N reset_ns=N" (0 = not reset) and one line per stall longer
 *   than STALL_LINE_NS, "stall start_ns end_ns" (the last acknowledgement before it, the first after; end_ns 0 =
 *   still stalled at the end), at most MAX_STALLS of them (the longest kept), and prints "done".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked (glibc's netinet/tcp.h lacks it) */
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

#define STALL_LINE_NS 20000000ull /* 20 ms: shorter pauses are the cadence itself */
#define MAX_STALLS 256


struct stall { uint64_t start, end; };
static struct stall stalls[MAX_STALLS];
static size_t nstalls;

/* Keeps the MAX_STALLS longest stalls (an open stall, end 0, counts as ending now). */
static void add_stall(uint64_t start, uint64_t end) {
  if (nstalls < MAX_STALLS) { stalls[nstalls++] = (struct stall){start, end}; return; }
  size_t shortest = 0;
  for (size_t i = 1; i < nstalls; i++)
    if (stalls[i].end - stalls[i].start < stalls[shortest].end - stalls[shortest].start) shortest = i;
  if (end - start > stalls[shortest].end - stalls[shortest].start) stalls[shortest] = (struct stall){start, end};
}

int main(int argc, char **argv) {
  if (argc != 6) return fprintf(stderr, "usage: %s ADDR PORT INTERVAL_US MAX_S OUT_FILE\n", argv[0]), 2;
  uint64_t interval_ns = (uint64_t)atoll(argv[3]) * 1000ull;
  if (interval_ns < 1000000) interval_ns = 1000000;
  double max_s = atof(argv[4]);
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) return fprintf(stderr, "bad address %s\n", argv[1]), 2;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IOLBF, 0);
  uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(max_s * 1e9);
  int s = -1;
  /* The guest may still be booting: retry the connect for up to 10 s. */
  while (!stop && now_ns() < t0 + 10000000000ull) {
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return perror("socket"), 1;
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {1, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(s, (struct sockaddr *)&dst, sizeof dst) == 0) break;
    close(s);
    s = -1;
    usleep(100000);
  }
  if (s < 0) return fprintf(stderr, "themis-tcpprobe: cannot connect to %s:%s\n", argv[1], argv[2]), 3;
  fcntl(s, F_SETFL, O_NONBLOCK);
  uint64_t connected = now_ns(), next = connected, last_ack_at = connected, last_alive = 0, sent = 0, acked = 0;
  printf("connected %llu\n", (unsigned long long)connected);
  char msg[16] = "themis-tcpprobe";
  uint64_t reset_at = 0;
  while (!stop) {
    uint64_t now = now_ns();
    if (now >= deadline) break;
    if (now >= next) {
      /* EAGAIN while stalled: the socket buffer holds what is unacknowledged; nothing is lost by skipping. */
      ssize_t w = send(s, msg, sizeof msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w == (ssize_t)sizeof msg) sent++;
      else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) reset_at = now;
      next += interval_ns;
      if (next < now) next = now + interval_ns;
    }
    struct tcp_info ti;
    socklen_t tl = sizeof ti;
    if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 && ti.tcpi_bytes_acked > acked) {
      acked = ti.tcpi_bytes_acked;
      if (now - last_ack_at > STALL_LINE_NS) add_stall(last_ack_at, now);
      last_ack_at = now;
      if (now - last_alive >= 20000000ull) {
        printf("alive %llu\n", (unsigned long long)now);
        last_alive = now;
      }
    }
    char sink[256];
    ssize_t r;
    while ((r = recv(s, sink, sizeof sink, MSG_DONTWAIT)) > 0) {
    }
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) reset_at = now;
    if (reset_at) {
      printf("reset %llu\n", (unsigned long long)reset_at);
      break;
    }
    struct timespec to = {0, 1000000};
    ppoll(NULL, 0, &to, NULL);
  }
  uint64_t end = now_ns();
  /* Still waiting for an acknowledgement at the end: an open stall. */
  int open_stall = sent * sizeof msg > acked && end - last_ack_at > STALL_LINE_NS;
  FILE *f = fopen(argv[5], "w");
  if (!f) return perror(argv[5]), 1;
  fprintf(f, "# themis-tcpprobe interval_us=%llu sent=%llu acked_bytes=%llu connected_ns=%llu end_ns=%llu reset_ns=%llu\n",
          (unsigned long long)(interval_ns / 1000), (unsigned long long)sent, (unsigned long long)acked,
          (unsigned long long)connected, (unsigned long long)end, (unsigned long long)reset_at);
  for (size_t i = 0; i < nstalls; i++)
    fprintf(f, "stall %llu %llu\n", (unsigned long long)stalls[i].start, (unsigned long long)stalls[i].end);
  if (open_stall) fprintf(f, "stall %llu 0\n", (unsigned long long)last_ack_at);
  fclose(f);
  close(s);
  printf("done\n");
  return 0;
}
