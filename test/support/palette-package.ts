/**
 * A tiny Node-RED node package packed with `npm pack` into a temporary folder, for tests that
 * install "another package from the palette" without the npm registry.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const PALETTE_PACKAGE = { name: 'node-red-contrib-palette-probe', type: 'palette-probe' };

/** Packs the package in `dir` and resolves with the path of its .tgz. */
export async function packPalettePackage(dir: string): Promise<string> {
  const source = path.join(dir, PALETTE_PACKAGE.name);
  fs.mkdirSync(source, { recursive: true });
  const manifest = { name: PALETTE_PACKAGE.name, version: '1.0.0', license: 'MIT', 'node-red': { nodes: { [PALETTE_PACKAGE.type]: 'probe.js' } } };
  fs.writeFileSync(path.join(source, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(
    path.join(source, 'probe.js'),
    `module.exports = function (RED) { RED.nodes.registerType('${PALETTE_PACKAGE.type}', function (config) { RED.nodes.createNode(this, config); }); };\n`,
  );
  fs.writeFileSync(
    path.join(source, 'probe.html'),
    `<script type="text/javascript">RED.nodes.registerType('${PALETTE_PACKAGE.type}', { category: 'function', color: '#ddd', defaults: {}, inputs: 1, outputs: 0 });</script>\n`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await promisify(execFile)(npm, ['pack', '--silent', '--pack-destination', dir], { cwd: source });
  return path.join(dir, stdout.trim().split('\n').pop()!);
}

/** Installs the .tgz as the palette manager does (`POST /nodes`, which runs `npm install` in the user directory). */
export async function installFromPalette(editorUrl: string, tarball: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${editorUrl}/nodes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ module: PALETTE_PACKAGE.name, url: tarball }),
  });
}
