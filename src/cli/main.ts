#!/usr/bin/env node
/**
 * Executable of `flowserv-remote` (package.json `bin`). Exits with the command's code once it is
 * done, even if some library left a timer or socket behind.
 */
import { main } from '../main.js';

process.exit(await main(process.argv.slice(2)));
