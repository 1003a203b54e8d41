/**
 * Runs the themis CLI in this process and prints its peak resident set size (worker threads included)
 * on stderr as `peak_rss_kib=N`, so benchmarks can time and measure a whole command.
 */
import { main } from '../app/cli/main.js';

const code = await main(process.argv.slice(2));
process.stderr.write(`peak_rss_kib=${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
