#!/usr/bin/env node
// Compiles src/ to CommonJS in dist/ and copies what Node-RED reads beside each node file:
// the editor .html, locales/ and its icon (Node-RED looks for icons in icons/ next to the .js).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
// Only with --clean: several test runs may share dist/ while they build.
if (process.argv.includes("--clean")) fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });

const nodesSource = path.join(root, 'src', 'nodes');
const icons = fs.readdirSync(path.join(root, 'icons')).filter((file) => file.endsWith('.svg') || file.endsWith('.png'));
for (const type of fs.readdirSync(nodesSource)) {
  const source = path.join(nodesSource, type);
  const target = path.join(dist, 'nodes', type);
  if (!fs.existsSync(path.join(source, `${type}.html`))) continue;
  fs.copyFileSync(path.join(source, `${type}.html`), path.join(target, `${type}.html`));
  if (fs.existsSync(path.join(source, 'locales'))) {
    fs.cpSync(path.join(source, 'locales'), path.join(target, 'locales'), { recursive: true });
  }
  // Each node's own icon (icons/<type>.svg) beside it; config nodes have none in the palette.
  const own = icons.filter((icon) => icon.startsWith(`${type}.`));
  if (own.length) fs.mkdirSync(path.join(target, 'icons'), { recursive: true });
  for (const icon of own) fs.copyFileSync(path.join(root, 'icons', icon), path.join(target, 'icons', icon));
}
console.log(`built ${path.relative(root, dist)}/`);
