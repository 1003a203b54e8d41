/**
 * Entry point of `scripts/lab/cloud.sh up|down|status` (until `themis lab cloud` is wired into the CLI).
 * Options from the environment: THEMIS_LAB_HOSTS, THEMIS_LAB_DIR.
 */
import { labCloudCommand, optionsFromEnv } from './command.js';

const [, , action = 'status'] = process.argv;
labCloudCommand(action, optionsFromEnv(process.env)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`lab: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
