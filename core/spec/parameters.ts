/**
 * Trial parameters: every knob a point of a sweep can set, with its unit in its name and its default.
 * Defined once here; the JSON Schema (`themis schema`, sweeps/schema.json), the typed DuckDB columns
 * and the simulator's inputs all derive from this object.
 * Defaults follow QEMU 10's own defaults where QEMU has one (downtime-limit 300 ms, max-bandwidth 128 MiB/s,
 * announce 50 ms + 100 ms steps × 5 rounds, auto-converge 20 % + 10 %).
 */
import { z } from 'zod';
import { MODES, type Mode } from '../modes.js';

export { MODES, type Mode };

export const NETWORK_DESIGNS = ['l2-announce', 'vxlan-learn', 'vxlan-fdb-push', 'routed-ospf'] as const;
export type NetworkDesign = (typeof NETWORK_DESIGNS)[number];

/** Where the supervisor joins the VM's L2 segment, relative to the move (simulator/network/stale-entry.ts). */
export const SUPERVISOR_PLACES = ['switch', 'source-host', 'destination-host'] as const;
/** What confirms the supervisor's neighbour entry for the VM (simulator/network/neighbour.ts). */
export const NEIGH_CONFIRMATIONS = ['traffic', 'own-probes', 'permanent'] as const;
/** How the VM's /32 enters OSPF (simulator/network/routed-ospf.ts). */
export const OSPF_VM_ROUTES = ['external', 'stub'] as const;

export const DIRTY_PATTERNS = ['sequential', 'uniform', 'hotcold'] as const;
export type DirtyPattern = (typeof DIRTY_PATTERNS)[number];

/** What paces the guest's writes: its vCPU time (slows with auto-converge's throttle) or the wall clock (does not). */
export const WORKLOAD_PACINGS = ['cpu', 'wall-clock'] as const;
export type WorkloadPacing = (typeof WORKLOAD_PACINGS)[number];

const share = () => z.number().min(0).max(1);
const nonNegative = () => z.number().nonnegative();
const positive = () => z.number().positive();

/** Every parameter, each optional in a sweep file and defaulted here. */
export const trialParametersSchema = z.strictObject({
  // --- migration
  mode: z.enum(MODES).default('live').describe('How the VM moves: live (pre-copy), postcopy, hybrid, suspend, cold, cold-hard'),
  // ≤ 64 TiB: the largest VMs offered today have 24 TiB; beyond that a typo, not a machine
  memory_mib: positive().max(64 * 1024 * 1024).default(512).describe('Guest RAM in MiB'),
  nonzero_share: share().default(0.6).describe('Share of guest RAM pages that are non-zero (zero pages cost only a header)'),
  // ≤ 1 GiB: x86's largest huge page
  page_size_bytes: z.number().int().positive().max(1024 ** 3).default(4096).describe('Guest page size in bytes'),
  link_bandwidth_mib_s: positive().default(1192).describe('Migration link capacity in MiB/s (10 Gbit/s ≈ 1192)'),
  max_bandwidth_mib_s: z
    .union([positive(), z.literal('unlimited')])
    .default(128)
    .describe("QEMU's max-bandwidth cap in MiB/s, or 'unlimited'"),
  downtime_limit_ms: positive().default(300).describe("QEMU's downtime-limit: switch over when the rest fits in this"),
  device_state_kib: nonNegative().default(512).describe('Device state sent at switch-over, KiB'),
  // --- host and guest facts (`themis calibrate` learns these from a qemu campaign: docs/calibration-facts.md)
  // Reference machine (docs/simulator.md): QEMU 10 TCG on 2 cores, datasets/qemu-tcg — 275–1,612 MiB/s, median 740
  switchover_rate_mib_s: positive()
    .max(1_000_000)
    .default(740)
    .describe('Rate of the downtime payload once QEMU lifts the rate limit (zero-page scanning, accelerator), MiB/s; bounded by the link'),
  // ≤ 1 h: a switch-over that takes longer is a typo
  switchover_cost_ms: nonNegative()
    .max(3_600_000)
    .default(10)
    .describe('Fixed cost of the switch-over while the VM is stopped (vCPU stop, device save/load, destination start), ms'),
  // ≤ 2: QEMU's 100 ms windows let a stream overshoot its cap a little, never double it
  precopy_rate_share: positive()
    .max(2)
    .default(1)
    .describe('Achieved pre-copy (and post-copy push) rate ÷ the max-bandwidth cap'),
  auto_converge: z.boolean().default(false).describe('Throttle the vCPUs when dirtying outpaces sending (20 % start, +10 % per step)'),
  // ≤ 10,000: real migrations switch after a handful of rounds; the round loop is bounded by it
  postcopy_after_rounds: z.number().int().nonnegative().max(10_000).default(2).describe('hybrid: pre-copy rounds before switching to post-copy'),
  // ≤ 30 days: an orchestrator waits minutes to hours; longer is a typo
  timeout_s: positive().max(30 * 24 * 3600).default(60).describe('A migration still running after this is cancelled: not_converged (post-copy, suspend: timeout)'),
  // --- workload
  dirty_rate_pages_s: nonNegative().default(0).describe('Pages the guest writes per second'),
  working_set_mib: nonNegative().default(256).describe('Writable working set in MiB (pages the workload can dirty)'),
  dirty_pattern: z.enum(DIRTY_PATTERNS).default('uniform').describe('Which pages the workload writes'),
  workload_pacing: z
    .enum(WORKLOAD_PACINGS)
    .default('cpu')
    .describe("What paces the guest's writes: cpu (a CPU-bound dirtier slows with auto-converge's throttle) or wall-clock (it does not)"),
  hot_set_share: share().default(0.2).describe('hotcold: share of the working set that is hot'),
  hot_write_share: share().default(0.8).describe('hotcold: share of writes that go to the hot set'),
  // --- cold and suspend
  shutdown_s: nonNegative().default(2).describe('cold: guest shutdown time, s (cold-hard: none)'),
  boot_s: nonNegative().default(3).describe('cold: guest boot time until its network is up, s'),
  agent_start_s: nonNegative().default(0.3).describe('cold: probe agent start after boot, s'),
  shared_storage: z.boolean().default(true).describe('Disk on shared storage: cold migration does not copy it'),
  disk_gib: nonNegative().default(10).describe('Disk size copied by cold migration without shared storage, GiB'),
  // The orchestrator's own work, split by where it falls on the trial's timeline (OpenNebula's is seconds: docs/lab.md)
  orchestrator_overhead_ms: nonNegative()
    .default(0)
    .describe("Orchestrator's work before the VM stops (driver calls, set-up; the VM still runs at its source), ms"),
  orchestrator_paused_ms: nonNegative()
    .default(0)
    .describe(
      "Orchestrator's work while the VM is stopped, added to downtime and outage (live: the switch-over handshake, e.g. libvirt's Finish/Confirm; suspend: between save and restore; cold: between power-off and boot), ms",
    ),
  orchestrator_after_ms: nonNegative()
    .default(0)
    .describe("Orchestrator's work after the VM runs at its destination until it reports the migration done (e.g. monitoring until RSTIME > 0), ms"),
  // --- faults
  link_failure_rate_per_s: nonNegative().default(0).describe('Poisson rate of migration-link failures while data flows, per s'),
  // --- seeded variation between repetitions
  bandwidth_jitter_share: share().default(0.05).describe('Relative spread of the achieved bandwidth between trials'),
  boot_jitter_share: share().default(0.1).describe('Relative spread of shutdown/boot times between trials'),
  // --- network reconvergence after the VM resumes at the destination
  network: z.enum(NETWORK_DESIGNS).default('l2-announce').describe('How the network learns the VM moved'),
  announce: z.boolean().default(true).describe("QEMU's self-announce (RARP) after resume"),
  announce_initial_ms: nonNegative().default(50),
  announce_step_ms: nonNegative().default(100),
  // ≤ 1000: QEMU's default is 5; each round is an event row per trial (10⁹ rounds grew a run to 6 GB)
  announce_rounds: z.number().int().nonnegative().max(1000).default(5),
  mac_ageing_s: positive().default(300).describe('Bridge / VXLAN FDB ageing time, s'),
  switch_learn_ms: nonNegative().default(0.05).describe('Time for a bridge to learn from a frame, ms'),
  vtep_learn_ms: nonNegative().default(0.2).describe('vxlan-learn: remote VTEP learning delay from a flooded frame, ms'),
  // Where the stale forwarding entry for the VM's MAC sits after the move (simulator/network/stale-entry.ts)
  supervisor_at: z
    .enum(SUPERVISOR_PLACES)
    .default('switch')
    .describe(
      "l2-announce, vxlan-learn: where the supervisor joins the VM's L2 segment — 'switch' (a switch or its own host: the stale entry is on a remote device), 'source-host' (the source hypervisor's bridge: the stale entry sits on the VM's deleted port, flushed at once), 'destination-host'",
    ),
  source_port_gone_ms: nonNegative()
    .default(0)
    .describe("ms after the resume until the VM's port on the source host is deleted (the source QEMU quits; libvirt's Confirm): the bridge flushes its entries, a routed host withdraws the VM's /32"),
  // The supervisor's neighbour (ARP) entry for the VM: Linux net/core/neighbour.c defaults (simulator/network/neighbour.ts)
  supervisor_neigh: z
    .enum(NEIGH_CONFIRMATIONS)
    .default('traffic')
    .describe(
      "What keeps the supervisor's ARP entry for the VM confirmed: 'traffic' (a TCP connection's ACKs, until the pause), 'own-probes' (only its unicast probes: the move falls at a random point of its cycle), 'permanent' (a static entry: never re-resolved)",
    ),
  base_reachable_time_ms: positive().default(30_000).describe('Supervisor neighbour base_reachable_time_ms (REACHABLE lasts a random 0.5–1.5 × this), ms'),
  delay_first_probe_ms: nonNegative().default(5000).describe('Supervisor neighbour delay_first_probe_time (DELAY before the first unicast probe), ms'),
  // ≤ 255: the sysctl is a u32 but a probe a second for hours is no longer a neighbour cache
  ucast_solicit: z.number().int().nonnegative().max(255).default(3).describe('Supervisor neighbour ucast_solicit: unicast probes before FAILED'),
  retrans_ms: positive().default(1000).describe('Supervisor neighbour retrans_time_ms between probes, ms'),
  controller_latency_ms: nonNegative().default(150).describe('vxlan-fdb-push: controller reaction to the VM move, ms'),
  controller_jitter_share: share().default(0.2),
  fdb_update_per_host_ms: nonNegative().default(4).describe('vxlan-fdb-push: time to push the FDB entry to one host, ms'),
  // ≤ 100,000: the largest single clouds have tens of thousands of hypervisors
  hosts: z.number().int().positive().max(100_000).default(16).describe('Hypervisor hosts that must learn the new location'),
  ospf_vm_route: z
    .enum(OSPF_VM_ROUTES)
    .default('external')
    .describe("routed-ospf: how the VM's /32 enters OSPF — 'external' (a redistributed kernel route: AS-external LSA, installed without an SPF), 'stub' (in the host's router-LSA: each change runs the SPF throttle)"),
  vm_route_add_ms: nonNegative().default(0).describe("routed-ospf: ms after the resume until the destination adds the VM's /32 kernel route"),
  ospf_detect_ms: nonNegative()
    .default(11)
    .describe("routed-ospf: a kernel route change until ospfd has originated (or flushed) the LSA — zebra's RIB work queue holds 10 ms before it redistributes, ms"),
  ospf_lsa_hop_ms: nonNegative().default(0.5).describe('routed-ospf: LSA flooding delay per hop (ospfd sends the LS Update at once), ms'),
  // ≤ 255: an IP path cannot be longer than the TTL
  ospf_hops: z.number().int().nonnegative().max(255).default(2),
  spf_initial_ms: nonNegative().default(0).describe("routed-ospf: FRR 'timers throttle spf' delay (first argument), ms"),
  spf_hold_ms: nonNegative().default(50).describe("routed-ospf: FRR 'timers throttle spf' initial-holdtime, ms"),
  spf_max_ms: nonNegative().default(5000).describe("routed-ospf: FRR 'timers throttle spf' max-holdtime, ms"),
  fib_install_ms: nonNegative().default(11).describe("routed-ospf: the supervisor's router's route into the kernel FIB — zebra's RIB work queue holds 10 ms, then netlink, ms"),
  // --- probes
  probe_interval_ms: positive().default(1).describe('Supervisor probe interval, ms'),
  rtt_base_ms: nonNegative().default(0.2).describe('Probe round-trip time when nothing moves, ms'),
  rtt_jitter_ms: nonNegative().default(0.05),
  // --- the TCP probe: a long-lived connection from the supervisor to the guest (simulator/tcp-stall.ts)
  tcp_message_interval_ms: positive().default(5).describe('TCP probe: the supervisor writes one small message every this many ms, ms'),
  tcp_rto_min_ms: positive().default(200).describe("Supervisor's TCP RTO minimum (Linux TCP_RTO_MIN, route option rto_min), ms"),
  tcp_rto_max_ms: positive().default(120_000).describe("Supervisor's TCP RTO maximum the back-off stops at (Linux TCP_RTO_MAX, sysctl tcp_rto_max_ms), ms"),
  tcp_nodelay: z.boolean().default(false).describe("TCP probe socket has TCP_NODELAY: new messages keep going out during an outage (up to the window); without it Nagle holds them behind the lost one"),
  // ≤ 65,535: more segments in flight than a TCP window of small messages can hold is a typo
  tcp_cwnd_packets: z.number().int().positive().max(65_535).default(10).describe('TCP probe congestion window in segments (Linux TCP_INIT_CWND 10 for an application-limited flow)'),
});

/** Parameters as a sweep file may write them: every field optional. */
export type TrialParametersInput = z.input<typeof trialParametersSchema>;
/** Parameters of one trial, every field resolved. */
export type TrialParameters = z.output<typeof trialParametersSchema>;
export type ParameterName = keyof TrialParameters;

export const PARAMETER_NAMES = Object.keys(trialParametersSchema.shape) as ParameterName[];

/** The parameter set with every default applied. */
export function defaultParameters(): TrialParameters {
  return trialParametersSchema.parse({});
}
