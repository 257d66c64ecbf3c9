#!/usr/bin/env node
/**
 * `flowserv-remote` as npm installs it (package.json `bin`): runs the CLI from its TypeScript
 * sources through tsx (a runtime dependency), so `npx flowserv-remote <command>` works right
 * after `npm ci` in a fresh clone, with no build step. The container image runs the compiled
 * dist/cli/main.js instead.
 */
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
