/*
 * themis-responder: the guest's side of the supervisor's probes.
 *  - UDP: echoes every datagram back to its sender (the 1 ms prober, backends/shared/prober/prober.c);
 *  - TCP on the same port: a sink for the TCP probe (backends/shared/prober/tcpprobe.c). It reads and
 *    acknowledges at once (TCP_QUICKACK after every read) but never sends data: a guest with unacknowledged
 *    data of its own would retransmit it from the destination after the move and so re-teach the network
 *    where it is — the probe must measure the network, not repair it (the UDP echo only answers too).
 * Runs at real-time priority so the memory-dirtying workload on the same vCPU cannot delay replies.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/** Bound on simultaneous TCP probe connections (one per trial; older ones are closed by the supervisor). */
#define MAX_CONNS 8

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7;
  struct sched_param sp = {.sched_priority = 50};
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) perror("sched_setscheduler");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  if (u < 0) return perror("socket"), 1;
  if (bind(u, (struct sockaddr *)&a, sizeof a) != 0) return perror("bind udp"), 1;
  int t = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  if (t < 0) return perror("socket tcp"), 1;
  setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(t, (struct sockaddr *)&a, sizeof a) != 0 || listen(t, 4) != 0) return perror("bind tcp"), 1;
  struct pollfd fds[2 + MAX_CONNS];
  int nconn = 0;
  char buf[2048];
  for (;;) {
    fds[0] = (struct pollfd){.fd = u, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = t, .events = POLLIN};
    if (poll(fds, (nfds_t)(2 + nconn), -1) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      struct sockaddr_in from;
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
      if (n >= 0) sendto(u, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    }
    for (int i = 0; i < nconn; i++) {
      if (!fds[2 + i].revents) continue;
      ssize_t n = read(fds[2 + i].fd, buf, sizeof buf);
      if (n > 0) {
        setsockopt(fds[2 + i].fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        continue;
      }
      close(fds[2 + i].fd);
      fds[2 + i] = fds[2 + --nconn];
      i--;
    }
    if (fds[1].revents & POLLIN) {
      int c = accept(t, NULL, NULL);
      if (c < 0) continue;
      if (nconn == MAX_CONNS) {
        close(fds[2].fd); /* bounded: an old connection goes (its supervisor has moved on) */
        fds[2] = fds[2 + --nconn];
      }
      setsockopt(c, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
      fds[2 + nconn++] = (struct pollfd){.fd = c, .events = POLLIN};
    }
  }
}
