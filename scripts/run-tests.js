#!/usr/bin/env node
// Runs the tap suite, passing its output through, and closes with (1) every failed assertion again, with the
// path of subtests that leads to it and its YAML diagnostic, and (2) one plain "N passed, N failed, N skipped"
// line read from tap's final summary. CI logs are often shown only head and tail, so the failures must be at the
// end. Exits with tap's own exit code.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const tap = spawn(process.execPath, [path.join(__dirname, '..', 'node_modules', 'tap', 'dist', 'esm', 'run.mjs'), ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });

const failures = [];
const stack = []; // subtest names by nesting depth
let pending = ''; // partial line
let tail = '';
let yamlFor = null; // failure collecting its diagnostic block
const MAX_DIAG_LINES = 40;

function onLine(line) {
  if (yamlFor) {
    if (/^\s*\.\.\.\s*$/.test(line)) { yamlFor = null; return; }
    if (/^\s*---\s*$/.test(line)) return;
    if (yamlFor.diag.length < MAX_DIAG_LINES) yamlFor.diag.push(line);
    return;
  }
  const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
  if (sub) {
    const depth = sub[1].length / 4;
    stack.length = depth;
    stack[depth] = sub[2];
    return;
  }
  const notOk = /^(\s*)not ok \d+ - (.*?)(\s+# (?:time=|TODO|SKIP).*)?$/.exec(line);
  if (notOk) {
    const depth = notOk[1].length / 4;
    const where = stack.slice(0, depth).filter(Boolean);
    // A failed subtest repeats the failures of its children; report only leaves (assertions and timeouts).
    const f = { where, what: notOk[2], diag: [] };
    failures.push(f);
    yamlFor = f;
    return;
  }
}

tap.stdout.on('data', (chunk) => {
  const text = chunk.toString('utf8');
  process.stdout.write(chunk);
  tail = (tail + text).slice(-4096);
  pending += text;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    onLine(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
  }
});

function isParentOf(a, b) {
  // a is a parent-subtest summary of b when b's path runs through a's name at a's depth
  return b.where.length > a.where.length && b.where[a.where.length] === a.what &&
    a.where.every((w, i) => b.where[i] === w);
}

tap.on('close', (code, signal) => {
  const leaves = failures.filter((f) => !failures.some((g) => g !== f && isParentOf(f, g)));
  if (leaves.length > 0) {
    process.stdout.write(`\n==== ${leaves.length} failure(s) ====\n`);
    for (const f of leaves) {
      process.stdout.write(`\nFAIL ${[...f.where, f.what].join(' > ')}\n`);
      for (const d of f.diag) process.stdout.write(`  ${d.trim().length ? d.replace(/^\s{0,8}/, '') : ''}\n`);
    }
  }
  const m = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?(?:, todo: (\d+))?/.exec(tail);
  if (m) {
    const pass = Number(m[2] ?? 0), fail = Number(m[3] ?? 0), skip = Number(m[4] ?? 0);
    process.stdout.write(`\ntests: ${pass} passed, ${fail} failed, ${skip} skipped\n`);
  } else {
    process.stdout.write('\ntests: tap printed no summary\n');
  }
  process.exit(code ?? (signal ? 1 : 0));
});
