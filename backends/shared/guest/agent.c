/*
 * themis-agent: the guest's workload and control channel.
 *
 * Reads line commands on a serial port (ttyS1) and answers one line each:
 *   ping                                  -> ok pong
 *   set ws_mib=N rate=P pattern=uniform|sequential|hotcold hot=S hotw=S seed=X
 *                                         -> ok ready pages=N fill_ms=T   (refills the working set, starts dirtying)
 *   pause | resume                        -> ok paused | ok running
 *   verify                                -> ok verify pages=N bad=K sum=HEX dirtied=D   (dirtying paused meanwhile)
 *   stats                                 -> ok stats dirtied=D rate_now=P
 *   poweroff                              -> ok poweroff, then the guest powers off (the orchestrator's
 *                                            guest-agent shutdown, used when the ACPI button goes unheard)
 *
 * Memory layout, chosen so that a page the migration failed to carry over (stale, zeroed, garbage) is detected:
 * every page holds a static pattern derived from its index, except word 0, which the dirtier overwrites with
 * (index << 32 | sequence); the same value is stored in a separate table. verify() checks word 0 against the
 * table and every 16th static word against the pattern.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / 8u)
#define STATIC_STRIDE 16u

enum pattern { P_UNIFORM, P_SEQUENTIAL, P_HOTCOLD };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

/* Guarded by mu. */
static uint64_t *ws;        /* working set, npages * PAGE bytes */
static uint64_t *table;     /* expected word 0 of each page */
static uint64_t npages;
static double rate_pages_s;
static enum pattern pat = P_UNIFORM;
static double hot_share = 0.2, hot_write_share = 0.8;
static uint64_t seed = 1;
static int paused = 1;
static int busy;            /* dirtier is inside a burst */
static uint64_t dirtied;
static uint64_t generation; /* bumps on each set, so the dirtier restarts its clock */

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

static uint64_t static_word(uint64_t page, uint64_t w) { return mix64((page * WORDS + w) ^ (seed * 0x9e3779b97f4a7c15ULL)); }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t xorshift(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static uint64_t seq_cursor;
static uint64_t pick_page(void) {
  if (pat == P_SEQUENTIAL) return seq_cursor++ % npages;
  if (pat == P_HOTCOLD) {
    uint64_t hot = (uint64_t)(hot_share * (double)npages);
    if (hot < 1) hot = 1;
    if (hot > npages) hot = npages;
    double u = (double)(xorshift() >> 11) / 9007199254740992.0;
    if (u < hot_write_share || hot == npages) return xorshift() % hot;
    return hot + xorshift() % (npages - hot);
  }
  return xorshift() % npages;
}

static void dirty_one(void) {
  uint64_t p = pick_page();
  uint64_t v = (p << 32) | (uint32_t)(++dirtied);
  table[p] = v;
  ws[p * WORDS] = v;
}

static void *dirtier(void *arg) {
  (void)arg;
  uint64_t gen = 0, start = 0, done = 0;
  for (;;) {
    pthread_mutex_lock(&mu);
    while (paused || rate_pages_s <= 0 || npages == 0) {
      pthread_cond_wait(&cv, &mu);
      gen = (uint64_t)-1; /* restart the clock after any pause */
    }
    if (gen != generation) {
      gen = generation;
      start = now_ns();
      done = 0;
    }
    /* Catch up to rate × elapsed in one burst per tick; cap a burst so a long stall does not become a storm. */
    double due = rate_pages_s * (double)(now_ns() - start) / 1e9 - (double)done;
    uint64_t n = due > 0 ? (uint64_t)due : 0;
    uint64_t cap = (uint64_t)(rate_pages_s / 10.0) + 1;
    if (n > cap) {
      done += n - cap;
      n = cap;
    }
    busy = 1;
    for (uint64_t i = 0; i < n; i++) dirty_one();
    done += n;
    busy = 0;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    struct timespec tick = {0, 1000000}; /* 1 ms: fine enough for rates up to ~10^5 pages/s */
    nanosleep(&tick, NULL);
  }
  return NULL;
}

static int reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reply(int fd, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  for (int off = 0; off < n;) {
    ssize_t w = write(fd, buf + off, (size_t)(n - off));
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
    off += (int)w;
  }
  return 0;
}

static const char *arg(const char *line, const char *key, char *out, size_t cap) {
  size_t kl = strlen(key);
  for (const char *p = line; (p = strstr(p, key)) != NULL; p++) {
    if ((p == line || p[-1] == ' ') && p[kl] == '=') {
      size_t i = 0;
      for (p += kl + 1; *p && *p != ' ' && i + 1 < cap; p++) out[i++] = *p;
      out[i] = 0;
      return out;
    }
  }
  return NULL;
}

static void cmd_set(int fd, const char *line) {
  char v[64];
  double ws_mib = arg(line, "ws_mib", v, sizeof v) ? atof(v) : 64;
  double rate = arg(line, "rate", v, sizeof v) ? atof(v) : 0;
  enum pattern np = P_UNIFORM;
  if (arg(line, "pattern", v, sizeof v)) np = !strcmp(v, "sequential") ? P_SEQUENTIAL : !strcmp(v, "hotcold") ? P_HOTCOLD : P_UNIFORM;
  double hs = arg(line, "hot", v, sizeof v) ? atof(v) : 0.2;
  double hws = arg(line, "hotw", v, sizeof v) ? atof(v) : 0.8;
  uint64_t sd = arg(line, "seed", v, sizeof v) ? strtoull(v, NULL, 10) : 1;
  uint64_t np_pages = (uint64_t)(ws_mib * 1048576.0 / PAGE);
  if (np_pages < 1) np_pages = 1;

  pthread_mutex_lock(&mu);
  paused = 1;
  while (busy) pthread_cond_wait(&cv, &mu);
  uint64_t t0 = now_ns();
  if (ws) munmap(ws, npages * PAGE);
  if (table) munmap(table, npages * 8);
  ws = mmap(NULL, np_pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  table = mmap(NULL, np_pages * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (ws == MAP_FAILED || table == MAP_FAILED) {
    ws = NULL;
    table = NULL;
    npages = 0;
    pthread_mutex_unlock(&mu);
    reply(fd, "err mmap %s", strerror(errno));
    return;
  }
  npages = np_pages;
  seed = sd;
  rng_state = mix64(sd) | 1;
  seq_cursor = 0;
  pat = np;
  hot_share = hs;
  hot_write_share = hws;
  rate_pages_s = rate;
  for (uint64_t p = 0; p < npages; p++) {
    uint64_t *pg = ws + p * WORDS;
    for (uint64_t w = 1; w < WORDS; w++) pg[w] = static_word(p, w);
    pg[0] = table[p] = p << 32;
  }
  dirtied = 0;
  generation++;
  paused = 0;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  reply(fd, "ok ready pages=%llu fill_ms=%llu", (unsigned long long)np_pages, (unsigned long long)((now_ns() - t0) / 1000000));
}

static void cmd_verify(int fd) {
  pthread_mutex_lock(&mu);
  int was_paused = paused;
  paused = 1;
  while (busy) pthread_cond_wait(&cv, &mu);
  uint64_t bad = 0, sum = 0, first_bad = (uint64_t)-1, t0 = now_ns();
  for (uint64_t p = 0; p < npages; p++) {
    const uint64_t *pg = ws + p * WORDS;
    int ok = pg[0] == table[p] && (table[p] >> 32) == p;
    for (uint64_t w = STATIC_STRIDE - 1; ok && w < WORDS; w += STATIC_STRIDE) ok = pg[w] == static_word(p, w);
    if (!ok) {
      bad++;
      if (first_bad == (uint64_t)-1) first_bad = p;
    }
    sum = mix64(sum ^ pg[0]);
  }
  paused = was_paused;
  generation++;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  reply(fd, "ok verify pages=%llu bad=%llu first_bad=%lld sum=%016llx dirtied=%llu verify_ms=%llu", (unsigned long long)npages,
        (unsigned long long)bad, first_bad == (uint64_t)-1 ? -1LL : (long long)first_bad, (unsigned long long)sum,
        (unsigned long long)dirtied, (unsigned long long)((now_ns() - t0) / 1000000));
}

static void set_paused(int fd, int p) {
  pthread_mutex_lock(&mu);
  paused = p;
  generation++;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  reply(fd, p ? "ok paused" : "ok running");
}

int main(int argc, char **argv) {
  const char *dev = argc > 1 ? argv[1] : "/dev/ttyS1";
  int fd = open(dev, O_RDWR | O_NOCTTY);
  if (fd < 0) {
    perror(dev);
    return 1;
  }
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    cfsetspeed(&t, B115200);
    tcsetattr(fd, TCSANOW, &t);
  }
  pthread_t th;
  pthread_create(&th, NULL, dirtier, NULL);
  reply(fd, "ok hello");
  char line[512];
  size_t len = 0;
  for (;;) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      usleep(10000);
      continue;
    }
    if (c == '\r') continue;
    if (c != '\n') {
      if (len + 1 < sizeof line) line[len++] = c;
      continue;
    }
    line[len] = 0;
    len = 0;
    if (!strcmp(line, "ping")) reply(fd, "ok pong");
    else if (!strncmp(line, "set", 3)) cmd_set(fd, line);
    else if (!strcmp(line, "verify")) cmd_verify(fd);
    else if (!strcmp(line, "poweroff")) {
      reply(fd, "ok poweroff");
      fprintf(stderr, "themis-agent: poweroff requested\n");
      sync();
      reboot(RB_POWER_OFF);
    } else if (!strcmp(line, "pause")) set_paused(fd, 1);
    else if (!strcmp(line, "resume")) set_paused(fd, 0);
    else if (!strcmp(line, "stats")) {
      pthread_mutex_lock(&mu);
      unsigned long long d = (unsigned long long)dirtied;
      pthread_mutex_unlock(&mu);
      reply(fd, "ok stats dirtied=%llu rate=%g pages=%llu", d, rate_pages_s, (unsigned long long)npages);
    } else if (line[0]) reply(fd, "err unknown command");
  }
}
