/*
 * themis-copy: moves a disk image between hypervisor namespaces over the migration link, as a cold
 * migration without shared storage does (OpenNebula's ssh/scp transfer manager), so its cost is real:
 * every byte is read, sent over TCP and written at the destination.
 *
 *   themis-copy recv PORT OUT_FILE      listens once, writes what arrives, prints "bytes <n>"
 *   themis-copy send ADDR PORT IN_FILE  connects (retrying for 5 s), sends the file, prints "bytes <n>"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static int pump(int in, int out, long long *total) {
  static char buf[CHUNK];
  for (;;) {
    ssize_t n = read(in, buf, CHUNK);
    if (n == 0) return 0;
    if (n < 0) return perror("read"), -1;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w <= 0) return perror("write"), -1;
      off += w;
    }
    *total += n;
  }
}

int main(int argc, char **argv) {
  long long total = 0;
  if (argc == 4 && !strcmp(argv[1], "recv")) {
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1)) return perror("listen"), 1;
    printf("listening\n");
    fflush(stdout);
    int c = accept(l, NULL, NULL);
    int out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (c < 0 || out < 0) return perror("accept/open"), 1;
    if (pump(c, out, &total) || fsync(out)) return 1;
    printf("bytes %lld\n", total);
    return 0;
  }
  if (argc == 5 && !strcmp(argv[1], "send")) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3]))};
    if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) return fprintf(stderr, "bad address\n"), 2;
    int in = open(argv[4], O_RDONLY);
    if (in < 0) return perror(argv[4]), 1;
    int s = -1;
    for (int i = 0; i < 100; i++) {
      s = socket(AF_INET, SOCK_STREAM, 0);
      if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) break;
      close(s);
      s = -1;
      usleep(50000);
    }
    if (s < 0) return perror("connect"), 1;
    if (pump(in, s, &total)) return 1;
    shutdown(s, SHUT_WR);
    char b;
    while (read(s, &b, 1) > 0) {
    }
    printf("bytes %lld\n", total);
    return 0;
  }
  fprintf(stderr, "usage: themis-copy recv PORT OUT | send ADDR PORT IN\n");
  return 2;
}
