#!/usr/bin/env node
// `npm run validate`: the Node-RED scorecard (`node-red-dev validate`, what the flow library
// shows for a package) on this package after `npm run build`, failing on any failed check.
//
// node-red-dev prints warnings but exits 0 whatever it finds, so this reads the scorecard it
// writes. Two checks need the flow library's catalogue (catalogue.nodered.org): P08 (no
// package of the same name) and N01 (node types unique across the library). Where that host
// cannot be reached (this project's machines reach only the package registries), those two
// are reported as not checked; every other check must pass.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const CATALOGUE = 'catalogue.nodered.org';
const CATALOGUE_CHECKS = ['P08', 'N01'];
const CHECKS = {
  P01: 'has a licence',
  P03: 'names a repository or bug tracker',
  P04: 'uses a valid name',
  P05: 'has the node-red keyword',
  P06: 'declares a Node-RED version that a current Node-RED satisfies',
  P07: 'declares a Node.js version that the latest Node-RED supports',
  P08: 'no other package of the same name in the flow library',
  N01: 'node types unique in the flow library',
  N02: 'an example for every node',
  D01: 'at most 6 dependencies',
  D02: 'no known incompatible package in the dependency tree',
  D03: 'dependencies at their latest version',
};

function fail(message) {
  console.error(`validate: ${message}`);
  process.exit(1);
}

/**
 * npm's package page shows a README picture only from an absolute URL: each must be the raw
 * file of docs/images in the repository that package.json names, on its main branch.
 */
function readmePictureProblems(pkg) {
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository && pkg.repository.url;
  const repository = /github\.com[/:]([^/]+\/[^/]+?)(?:\.git)?$/.exec(url || '');
  if (!repository) return [`package.json repository (${url}) is not a GitHub repository`];
  const base = `https://raw.githubusercontent.com/${repository[1]}/main/`;
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const problems = [];
  const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)];
  console.log(`README: ${pictures.length} pictures, each to be under ${base}`);
  for (const [, picture] of pictures) {
    const file = picture.startsWith(base) ? picture.slice(base.length) : undefined;
    if (!file) problems.push(`README picture ${picture} is not under ${base}`);
    else if (!file.startsWith('docs/images/') || !fs.existsSync(path.join(root, file))) problems.push(`README picture ${picture}: no ${file} in docs/images`);
  }
  return problems;
}

async function main() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const pictureProblems = readmePictureProblems(pkg);
  if (pictureProblems.length) fail(pictureProblems.join('\n'));
  // node-red-dev reads each node's editor file beside the built .js, and says only "Unable to parse" when it is missing.
  for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
    const html = path.join(root, file.replace(/\.js$/, '.html'));
    if (!fs.existsSync(path.join(root, file)) || !fs.existsSync(html)) fail(`${type}: ${path.relative(root, html)} is missing; run npm run build first`);
  }

  const devRoot = path.dirname(require.resolve('node-red-dev/package.json', { paths: [root] }));
  const axios = require(require.resolve('axios', { paths: [path.join(devRoot, 'src', 'libs')] }));
  let catalogueError;
  const get = axios.get.bind(axios);
  axios.get = async (url, ...rest) => {
    if (!String(url).includes(CATALOGUE)) return get(url, ...rest);
    try {
      return await get(url, ...rest);
    } catch (error) {
      if (error.response) throw error;
      catalogueError = error.code || error.message;
      return { data: { modules: [] } };
    }
  };

  const scorecardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorecard-'));
  const scorecardFile = path.join(scorecardDir, 'scorecard.json');
  const ValidateCommand = require(path.join(devRoot, 'src', 'commands', 'validate.js'));
  await ValidateCommand.run(['--path', root, '--output', scorecardFile, '--embed', 'true']);
  if (!fs.existsSync(scorecardFile)) fail('node-red-dev wrote no scorecard (see its errors above)');
  const scorecard = JSON.parse(fs.readFileSync(scorecardFile, 'utf8'));
  fs.rmSync(scorecardDir, { recursive: true, force: true });

  console.log(`\nscorecard of ${pkg.name}@${pkg.version}:`);
  const failed = [];
  const unchecked = [];
  for (const [id, what] of Object.entries(CHECKS)) {
    const result = scorecard[id];
    let verdict;
    if (catalogueError && CATALOGUE_CHECKS.includes(id)) {
      verdict = `not checked: ${CATALOGUE} unreachable (${catalogueError})`;
      unchecked.push(id);
    } else if (!result) {
      verdict = 'FAILED: not reported';
      failed.push(id);
    } else if (result.test !== true) {
      verdict = `FAILED ${JSON.stringify(result)}`;
      failed.push(id);
    } else {
      verdict = 'ok';
    }
    console.log(`  ${id} ${what}: ${verdict}`);
  }
  const checked = Object.keys(CHECKS).length - unchecked.length;
  console.log(`scorecard: ${checked - failed.length} of ${checked} checks pass${unchecked.length ? `, ${unchecked.join(' and ')} not checked offline` : ''}`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((error) => fail(error && error.stack ? error.stack : String(error)));
