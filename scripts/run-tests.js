#!/usr/bin/env node
// Runs the tap suite, passing its output through, and closes with one plain "N passed, N failed, N skipped" line
// (read from tap's final summary) so CI logs state the result in words. Exits with tap's own exit code.
'use strict';
const { spawn } = require('node:child_process');

const tap = spawn(process.execPath, [require('node:path').join(__dirname, '..', 'node_modules', 'tap', 'dist', 'esm', 'run.mjs'), ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let tail = '';
tap.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-4096);
});
tap.on('close', (code, signal) => {
  const m = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?(?:, todo: (\d+))?/.exec(tail);
  if (m) {
    const pass = Number(m[2] ?? 0), fail = Number(m[3] ?? 0), skip = Number(m[4] ?? 0);
    process.stdout.write(`\ntests: ${pass} passed, ${fail} failed, ${skip} skipped\n`);
  } else {
    process.stdout.write('\ntests: tap printed no summary\n');
  }
  process.exit(code ?? (signal ? 1 : 0));
});
