#!/usr/bin/env node
// Entry point of the `themis` command; the TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { main } from '../dist/app/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
