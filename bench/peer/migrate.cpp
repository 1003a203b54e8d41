/*
 * SimGrid 3.32 peer of Themis's simulator (bench/peer.ts): N live migrations of one 512 MiB VM between two hosts
 * over a 125 MB/s link, with SimGrid's VM live-migration plugin (src/plugins/vm/VmLiveMigration.cpp: stage 1 sends
 * all memory, stage 2 resends what the VM dirtied until the rest fits in max_downtime at the measured bandwidth,
 * stage 3 suspends the VM and sends the rest). The plugin dirties memory in proportion to the flops the VM
 * computes, so one actor keeps the VM's core busy. Max downtime is the plugin's default, 30 ms.
 *
 *   migrate <platform.xml> <migrations> <dirty intensity % of the migration speed>
 * prints: migrations=N mean_total_ms=… mean_downtime_ms=…   (simulated times)
 */
#include <cstdio>
#include <cstdlib>
#include <simgrid/plugins/live_migration.h>
#include <simgrid/s4u.hpp>
#include <simgrid/s4u/VirtualMachine.hpp>

namespace sg4 = simgrid::s4u;

static int migrations  = 0;
static int intensity   = 0;
static double total_s  = 0;
static double down_s   = 0;
static double paused_at = -1;

/** The guest's workload: computes for ever; the plugin counts its flops as dirtied pages. */
static void guest_load()
{
  for (;;)
    sg4::this_actor::execute(1e18);
}

static void orchestrator()
{
  sg4::Host* pm0 = sg4::Host::by_name("pm0");
  sg4::Host* pm1 = sg4::Host::by_name("pm1");
  // 512 MiB, migration speed 119 MiB/s (= 125 MB/s, the link), dirtying `intensity` % of it
  sg4::VirtualMachine* vm = sg_vm_create_migratable(pm0, "vm", 1, 512, 119, intensity);
  vm->start();
  sg4::Actor::create("guest", vm, guest_load)->daemonize();
  for (int i = 0; i < migrations; i++) {
    double t0 = sg4::Engine::get_clock();
    sg_vm_migrate(vm, i % 2 == 0 ? pm1 : pm0);
    total_s += sg4::Engine::get_clock() - t0;
  }
  std::printf("migrations=%d intensity_pct=%d mean_total_ms=%.3f mean_downtime_ms=%.3f\n", migrations, intensity,
              1000 * total_s / migrations, 1000 * down_s / migrations);
  vm->destroy();
}

int main(int argc, char** argv)
{
  sg4::Engine e(&argc, argv);
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s platform.xml migrations intensity_pct\n", argv[0]);
    return 2;
  }
  migrations = std::atoi(argv[2]);
  intensity  = std::atoi(argv[3]);
  sg_vm_live_migration_plugin_init();
  e.load_platform(argv[1]);
  // the VM's pause: from stage 3's suspend to the destination's resume
  sg4::VirtualMachine::on_suspend_cb([](sg4::VirtualMachine const&) { paused_at = sg4::Engine::get_clock(); });
  sg4::VirtualMachine::on_resume_cb([](sg4::VirtualMachine const&) {
    if (paused_at >= 0)
      down_s += sg4::Engine::get_clock() - paused_at;
    paused_at = -1;
  });
  sg4::Actor::create("orchestrator", sg4::Host::by_name("pm0"), orchestrator);
  e.run();
  return 0;
}
