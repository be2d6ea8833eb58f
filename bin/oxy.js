#!/usr/bin/env node
import { followParent, relaunched } from '../dist/relaunch.js';

const code = await relaunched(process.argv);
if (code !== undefined) {
  process.exitCode = code;
} else {
  followParent();
  const { main } = await import('../dist/cli.js');
  process.exitCode = await main(process.argv);
}
