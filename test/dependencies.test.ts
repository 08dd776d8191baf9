/**
 * What an installed package may pull in: its lockfile does not travel with it, so the
 * ranges in package.json alone decide which versions of a dependency a user gets.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The lowest version a caret or plain range admits, as numbers. */
function floorOf(range: string): number[] {
  const match = /^\^?(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  assert.ok(match, `"${range}" is a caret range or a version`);
  return match.slice(1, 4).map(Number);
}

function atLeast(version: number[], minimum: number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const wanted = minimum[i] ?? 0;
    if ((version[i] ?? 0) !== wanted) return (version[i] ?? 0) > wanted;
  }
  return true;
}

describe('dependency ranges', () => {
  it('admits no axios 1.x with a published advisory: the floor is 1.20.0 (CVE-2026-101902 and earlier fixed)', () => {
    const range = manifest.dependencies.axios ?? '';
    assert.ok(range.startsWith('^1.'), `axios stays on 1.x, got "${range}"`);
    assert.ok(atLeast(floorOf(range), [1, 20, 0]), `axios "${range}" admits versions before 1.20.0`);
  });
});
