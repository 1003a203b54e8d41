/*
 * themis-responder: echoes every UDP datagram back to its sender (the supervisor's prober).
 * Runs at real-time priority so the memory-dirtying workload on the same vCPU cannot delay replies.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7;
  struct sched_param sp = {.sched_priority = 50};
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) perror("sched_setscheduler");
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return perror("socket"), 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) return perror("bind"), 1;
  char buf[2048];
  for (;;) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) continue;
    sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
  }
}
