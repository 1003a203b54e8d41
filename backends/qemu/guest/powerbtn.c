/*
 * themis-powerbtn: powers the guest off when ACPI's power button is pressed (QMP system_powerdown),
 * so that a `cold` migration starts with a clean guest shutdown. Watches every /dev/input/event* device.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(void) {
  struct pollfd fds[16];
  int n = 0;
  for (int i = 0; i < 16; i++) {
    char path[64];
    snprintf(path, sizeof path, "/dev/input/event%d", i);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
  }
  if (n == 0) return fprintf(stderr, "powerbtn: no input devices\n"), 1;
  for (;;) {
    if (poll(fds, (nfds_t)n, -1) <= 0) continue;
    for (int i = 0; i < n; i++) {
      struct input_event ev;
      if (!(fds[i].revents & POLLIN) || read(fds[i].fd, &ev, sizeof ev) != sizeof ev) continue;
      if (ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1) {
        sync();
        reboot(RB_POWER_OFF);
      }
    }
  }
}
