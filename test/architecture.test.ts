/**
 * The shape of the code, checked on the sources with the TypeScript compiler: no import
 * cycle (type imports included), a library that knows nothing of Node-RED, no function
 * longer than 60 lines (closures included: their lines count for the function that holds
 * them), in the runtime's TypeScript, the editor's (the .editor.ts files), the demo's and the scripts', and
 * a small budget of assertions that overrule the type checker, counted in all of them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');
/** The dev tooling beside the package: the demo service and the scripts (npm start, bench, build). */
const TOOLING = ['demo', 'scripts'].map((dir) => path.join(ROOT, dir));
const MAX_FUNCTION_LINES = 60;
/**
 * Assertions the checker cannot verify, counted with the type checker: `x as T` where the
 * type of `x` is not assignable to `T` (a downcast, `as never`, `unknown as T`) or is `any`
 * (`req.body as Body`; `as unknown` alone is a widening), `as any`, non-null `!`, and the
 * comments that silence the checker (`@ts-expect-error`, `@ts-ignore`, `@ts-nocheck`).
 * A ratchet at today's count: lower it when one goes, never raise it.
 */
const MAX_UNCHECKED_ASSERTIONS = 42;
function sourceFiles(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}

const parse = (file: string) => ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
const files = sourceFiles(SRC, /\.ts$/);
const parsed = new Map(files.map((file) => [file, parse(file)]));
/** The demo's TypeScript and the scripts' TypeScript and JavaScript (the build scripts), measured like src. */
const toolingFiles = TOOLING.flatMap((dir) => sourceFiles(dir, /\.[cm]?[jt]s$/));
const toolingParsed = new Map(toolingFiles.map((file) => [file, parse(file)]));
const isTooling = (file: string) => TOOLING.some((dir) => file.startsWith(dir + path.sep));
/**
 * Each TypeScript file in one project, type-checked with that project's options: the runtime, the
 * editor (DOM, jQuery, Node-RED's editor types), and the demo and scripts with tsconfig.test.json,
 * which types them (only their own files are counted there, not the tests it also includes).
 */
const PROJECTS: Array<{ config: string; counts?: (file: string) => boolean }> = [
  { config: 'tsconfig.json' },
  { config: 'tsconfig.editor.json' },
  { config: 'tsconfig.test.json', counts: isTooling },
];
const relative = (file: string) => path.relative(SRC, file);
const fromRoot = (file: string) => path.relative(ROOT, file);
const lineOf = (source: ts.SourceFile, pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;

/** Every module specifier a file imports or re-exports, types included. */
function importsOf(source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  source.forEachChild((node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specifiers.push(node.moduleReference.expression.text);
    }
  });
  return specifiers;
}

function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => parsed.has(candidate));
}

/** The name a function goes by: its own, or that of the variable, property or class member it is assigned to. */
function nameOf(fn: ts.FunctionLikeDeclaration): string {
  if (fn.name) return fn.name.getText();
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return '(anonymous)';
}

function isFunctionWithBody(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return ts.isFunctionLike(node) && 'body' in node && node.body !== undefined;
}

/** Lines from a function's first line to its last, nested functions included. */
function spanOf(fn: ts.FunctionLikeDeclaration, source: ts.SourceFile): number {
  return lineOf(source, fn.getEnd()) - lineOf(source, fn.getStart(source)) + 1;
}

/** Every function over the limit, as `file:line name (n lines)`. */
function longFunctions(sources: Map<string, ts.SourceFile>): string[] {
  const long: string[] = [];
  for (const [file, source] of sources) {
    const visit = (node: ts.Node): void => {
      if (isFunctionWithBody(node)) {
        const span = spanOf(node, source);
        if (span > MAX_FUNCTION_LINES) long.push(`${fromRoot(file)}:${lineOf(source, node.getStart(source))} ${nameOf(node)} (${span} lines)`);
      }
      node.forEachChild(visit);
    };
    visit(source);
  }
  return long;
}

/** What the type checker is not asked about: each `x as T` it could not prove and each `!`, as `file:line text`. */
function uncheckedAssertions(source: ts.SourceFile, checker: ts.TypeChecker): string[] {
  const unchecked: string[] = [];
  const visit = (node: ts.Node): void => {
    const where = () => `${fromRoot(source.fileName)}:${lineOf(source, node.getStart(source))} ${node.getText(source).replace(/\s+/g, ' ').slice(0, 80)}`;
    if (ts.isNonNullExpression(node)) unchecked.push(where());
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !ts.isConstTypeReference(node.type)) {
      const target = checker.getTypeFromTypeNode(node.type);
      const from = checker.getTypeAtLocation(node.expression);
      const toAny = (target.flags & ts.TypeFlags.Any) !== 0;
      // `any` is assignable to every type, so a cast from it is checked by nothing; to `unknown` it only widens.
      const fromAny = (from.flags & ts.TypeFlags.Any) !== 0 && (target.flags & ts.TypeFlags.Unknown) === 0;
      if (toAny || fromAny || !checker.isTypeAssignableTo(from, target)) unchecked.push(where());
    }
    node.forEachChild(visit);
  };
  visit(source);
  return unchecked;
}

/** Comments that switch the type checker off for a line or a file, as `file:line comment`. */
function checkerSilencers(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const seen = new Set<number>();
  const visit = (node: ts.Node): void => {
    const ranges = [...(ts.getLeadingCommentRanges(source.text, node.pos) ?? []), ...(ts.getTrailingCommentRanges(source.text, node.end) ?? [])];
    for (const range of ranges.filter((candidate) => !seen.has(candidate.pos))) {
      seen.add(range.pos);
      const comment = source.text.slice(range.pos, range.end);
      if (/@ts-(expect-error|ignore|nocheck)\b/.test(comment)) found.push(`${fromRoot(source.fileName)}:${lineOf(source, range.pos)} ${comment.slice(0, 80)}`);
    }
    // A JSDoc block is a comment itself: its inner nodes start inside it.
    for (const child of node.getChildren(source)) if (!ts.isJSDoc(child)) visit(child);
  };
  visit(source);
  return found;
}

/**
 * What a service is and how it answers (presets, the refusal diagnosis, the service modules,
 * the authorizers that know a scheme): the transport (client.ts and the small modules it
 * imports) carries requests and knows none of it.
 */
const SERVICE_FACTS = ['presets', 'diagnosis', 'alteryx', 'extrahorizon', 'service', 'oauth2', 'three-legged', 'token-requests'];

/** Every file of src that `start` reaches through imports (types included), each with the chain of imports that gets there. */
function importChains(start: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const specifier of importsOf(parsed.get(file)!)) {
      const next = resolveLocal(file, specifier);
      if (!next || chains.has(next)) continue;
      chains.set(next, [...chains.get(file)!, next]);
      queue.push(next);
    }
  }
  return chains;
}

describe('the shape of the code', () => {
  it('has no import cycle in src, type imports included', () => {
    const graph = new Map(
      files.map((file) => [
        file,
        importsOf(parsed.get(file)!)
          .map((s) => resolveLocal(file, s))
          .filter((f): f is string => !!f),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map(relative).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });

  it('keeps src/lib free of Node-RED: the library knows nothing of the nodes or the runtime', () => {
    const offending = files
      .filter((file) => relative(file).startsWith(`lib${path.sep}`))
      .flatMap((file) =>
        importsOf(parsed.get(file)!)
          .filter((s) => /^node-red|^@node-red|\/nodes\//.test(s))
          .map((s) => `${relative(file)} imports ${s}`),
      );
    assert.deepEqual(offending, []);
  });

  it('keeps the shared node layer free of services: no file of src/nodes/shared imports a service module, type imports included', () => {
    // A library error brings its own status text and fields: the shell needs no service to show one.
    const serviceModules = ['alteryx', 'extrahorizon', 'three-legged', 'token-requests', 'presets', 'diagnosis', 'job-bounds', 'job-polling'];
    const services = new Set(serviceModules.map((name) => path.join(SRC, 'lib', `${name}.ts`)));
    for (const file of services) assert.ok(parsed.has(file), `${relative(file)} exists`);
    const shared = files.filter((file) => relative(file).startsWith(`nodes${path.sep}shared${path.sep}`));
    assert.ok(
      shared.some((file) => file.endsWith('node-shell.ts')),
      'the shell is in src/nodes/shared',
    );
    const offending = shared.flatMap((file) =>
      importsOf(parsed.get(file)!)
        .filter((specifier) => services.has(resolveLocal(file, specifier) ?? ''))
        .map((specifier) => `${relative(file)} imports ${specifier}`),
    );
    assert.deepEqual(offending, []);
  });

  it('defines each node once: its runtime and its editor script import its .properties.ts, which imports only src/lib and other properties, types included', () => {
    const nodeTypes = fs.readdirSync(path.join(SRC, 'nodes')).filter((type) => fs.existsSync(path.join(SRC, 'nodes', type, `${type}.html`)));
    assert.ok(nodeTypes.length >= 4, nodeTypes.join(', '));
    const reaches = (file: string, target: string) => importsOf(parsed.get(file)!).some((specifier) => resolveLocal(file, specifier) === target);
    for (const type of nodeTypes) {
      const properties = path.join(SRC, 'nodes', type, `${type}.properties.ts`);
      assert.ok(parsed.has(properties), `${type}.properties.ts exists`);
      for (const user of [`${type}.ts`, `${type}.editor.ts`]) assert.ok(reaches(path.join(SRC, 'nodes', type, user), properties), `${user} imports it`);
    }
    // Bundled into the browser and compiled for Node-RED: nothing of either, nor of Node, nor a runtime or editor module.
    const offending = files
      .filter((file) => file.endsWith('.properties.ts'))
      .flatMap((file) =>
        importsOf(parsed.get(file)!)
          .filter((specifier) => {
            const target = resolveLocal(file, specifier);
            return !target || !(relative(target).startsWith(`lib${path.sep}`) || target.endsWith('.properties.ts'));
          })
          .map((specifier) => `${relative(file)} imports ${specifier}`),
      );
    assert.deepEqual(offending, []);
  });

  it('keeps service facts out of the transport: nothing client.ts reaches, type imports included, knows a service', () => {
    const chains = importChains(path.join(SRC, 'lib', 'client.ts'));
    const offending = SERVICE_FACTS.map((name) => path.join(SRC, 'lib', `${name}.ts`)).flatMap((file) => {
      assert.ok(parsed.has(file), `${relative(file)} exists`);
      const chain = chains.get(file);
      return chain ? [chain.map(relative).join(' → ')] : [];
    });
    assert.deepEqual(offending, []);
  });

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines, closures included, in src/**/*.ts, the editor's included`, () => {
    assert.ok(
      files.some((file) => file.endsWith('.editor.ts')),
      'the editor is TypeScript in src/**/*.editor.ts',
    );
    assert.deepEqual(longFunctions(parsed), []);
  });

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines in demo/ and scripts/ either, their JavaScript included`, () => {
    for (const dir of TOOLING)
      assert.ok(
        toolingFiles.some((file) => file.startsWith(dir + path.sep) && file.endsWith('.ts')),
        `TypeScript in ${fromRoot(dir)}`,
      );
    assert.ok(
      toolingFiles.some((file) => file.endsWith('.js')),
      'the build scripts are measured too',
    );
    assert.deepEqual(longFunctions(toolingParsed), []);
  });

  it('counts a closure for the function that holds it (the gate measures whole spans)', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `    const v${i} = ${i};`).join('\n');
    const text = `function holder() {\n  const inner = () => {\n${body}\n  };\n  return inner;\n}\n`;
    const source = ts.createSourceFile('holder.ts', text, ts.ScriptTarget.ES2022, true);
    const found = longFunctions(new Map([[path.join(ROOT, 'holder.ts'), source]]));
    assert.deepEqual(found, [`holder.ts:1 holder (${MAX_FUNCTION_LINES + 5} lines)`, `holder.ts:2 inner (${MAX_FUNCTION_LINES + 2} lines)`]);
  });

  it(`overrules the type checker at most ${MAX_UNCHECKED_ASSERTIONS} times in src, demo and scripts (casts it cannot prove, from or to any, !, @ts-ignore)`, function () {
    this.timeout(60_000);
    const unchecked: string[] = [];
    const counted: string[] = [];
    for (const project of PROJECTS) {
      const config = ts.getParsedCommandLineOfConfigFile(
        path.join(ROOT, project.config),
        {},
        { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
      );
      assert.ok(config, `${project.config} parses`);
      const roots = config.fileNames.map((name) => path.resolve(name)).filter(project.counts ?? (() => true));
      const program = ts.createProgram(roots, config.options);
      const checker = program.getTypeChecker();
      for (const file of roots) {
        const source = program.getSourceFile(file);
        assert.ok(source, file);
        counted.push(file);
        unchecked.push(...uncheckedAssertions(source, checker));
      }
    }
    const typescript = [...files, ...toolingFiles.filter((file) => file.endsWith('.ts'))];
    assert.deepEqual(counted.sort(), typescript.sort(), 'every TypeScript file of src, demo and scripts, in one project each');
    for (const source of [...parsed.values(), ...toolingParsed.values()]) unchecked.push(...checkerSilencers(source));
    assert.ok(unchecked.length <= MAX_UNCHECKED_ASSERTIONS, `${unchecked.length} unchecked assertions:\n  ${unchecked.join('\n  ')}`);
  });

  it('counts casts from any and the comments that silence the checker (the assertion gate has no such hole)', function () {
    this.timeout(30_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
    try {
      const file = path.join(dir, 'casts.ts');
      const lines = [
        'declare const body: any;',
        'export const named = body as { name: string };',
        'export const widened = body as unknown;',
        '// @ts-expect-error a number is no string',
        "export const wrong: number = 'x';",
        '/* @ts-ignore */',
        'export const checked = 1 as number;',
      ];
      fs.writeFileSync(file, lines.join('\n') + '\n');
      const program = ts.createProgram([file], { strict: true, noEmit: true, types: [] });
      const source = program.getSourceFile(file);
      assert.ok(source);
      const found = [...uncheckedAssertions(source, program.getTypeChecker()), ...checkerSilencers(source)].map((entry) =>
        entry.replace(`${fromRoot(file)}:`, ''),
      );
      assert.deepEqual(found, ['2 body as { name: string }', '4 // @ts-expect-error a number is no string', '6 /* @ts-ignore */']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
