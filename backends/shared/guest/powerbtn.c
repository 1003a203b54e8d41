/*
 * themis-powerbtn: powers the guest off when ACPI's power button is pressed (QMP system_powerdown),
 * so that a `cold` migration starts with a clean guest shutdown. Finds the input device named
 * "Power Button" through sysfs, retrying because devtmpfs creates /dev/input/event* asynchronously
 * after the button module registers it, and says when it watches (READY_FILE): the kernel does not keep
 * input events for a reader that opens the device later, so a press before that is never seen.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#define READY_FILE "/themis-powerbtn.ready"

static int open_power_buttons(struct pollfd *fds, int cap) {
  int n = 0;
  for (int i = 0; i < 32 && n < cap; i++) {
    char path[96], name[128] = {0};
    snprintf(path, sizeof path, "/sys/class/input/event%d/device/name", i);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    if (!fgets(name, sizeof name, f)) name[0] = 0;
    fclose(f);
    if (!strstr(name, "Power Button")) continue;
    snprintf(path, sizeof path, "/dev/input/event%d", i);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
  }
  return n;
}

int main(void) {
  struct pollfd fds[8];
  int n = 0;
  for (int tries = 0; tries < 600 && n == 0; tries++) {
    n = open_power_buttons(fds, 8);
    if (n == 0) usleep(50000);
  }
  if (n == 0) return fprintf(stderr, "themis-powerbtn: no power button input device\n"), 1;
  fprintf(stderr, "themis-powerbtn: watching %d device(s)\n", n);
  /* init waits for this before the guest answers anyone: a press before the device is open is lost for good */
  int ready = open(READY_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (ready >= 0) close(ready);
  for (;;) {
    if (poll(fds, (nfds_t)n, -1) <= 0) continue;
    for (int i = 0; i < n; i++) {
      struct input_event ev;
      if (!(fds[i].revents & POLLIN) || read(fds[i].fd, &ev, sizeof ev) != sizeof ev) continue;
      if (ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1) {
        fprintf(stderr, "themis-powerbtn: power button pressed\n");
        sync();
        reboot(RB_POWER_OFF);
      }
    }
  }
}
