/**
 * The shape of the code, checked on the sources with the TypeScript compiler: no import
 * cycle (type imports included), a library that knows nothing of Node-RED, no function
 * longer than 60 lines (closures included: their lines count for the function that holds
 * them), in the TypeScript and in the editor's script, and a small budget of assertions
 * that overrule the type checker (downcasts, `as never`, `as unknown as`, non-null `!`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const MAX_FUNCTION_LINES = 60;
/**
 * Assertions the checker cannot verify, counted with the type checker: `x as T` where the
 * type of `x` is not assignable to `T` (a downcast, `as never`, `unknown as T`), `as any`,
 * and non-null `!`. A ratchet at today's count: lower it when one goes, never raise it.
 */
const MAX_UNCHECKED_ASSERTIONS = 39;
function sourceFiles(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}

const files = sourceFiles(SRC, /\.ts$/);
/** The editor's script runs in the browser, untyped: only its function lengths are checked. */
const editorScripts = sourceFiles(path.join(SRC, 'editor'), /\.js$/);
const parsed = new Map(files.map((file) => [file, ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)]));
const parsedScripts = new Map(
  editorScripts.map((file) => [file, ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS)]),
);
const relative = (file: string) => path.relative(SRC, file);
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
        if (span > MAX_FUNCTION_LINES) long.push(`${relative(file)}:${lineOf(source, node.getStart(source))} ${nameOf(node)} (${span} lines)`);
      }
      node.forEachChild(visit);
    };
    visit(source);
  }
  return long;
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

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines, closures included, in src/**/*.ts and the editor's script`, () => {
    assert.deepEqual(longFunctions(new Map([...parsed, ...parsedScripts])), []);
  });

  it('counts a closure for the function that holds it (the gate measures whole spans)', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `    const v${i} = ${i};`).join('\n');
    const text = `function holder() {\n  const inner = () => {\n${body}\n  };\n  return inner;\n}\n`;
    const source = ts.createSourceFile('holder.ts', text, ts.ScriptTarget.ES2022, true);
    const found = longFunctions(new Map([[path.join(SRC, 'holder.ts'), source]]));
    assert.deepEqual(found, [`holder.ts:1 holder (${MAX_FUNCTION_LINES + 5} lines)`, `holder.ts:2 inner (${MAX_FUNCTION_LINES + 2} lines)`]);
  });

  it(`overrules the type checker at most ${MAX_UNCHECKED_ASSERTIONS} times (downcasts, as never, as unknown as, as any, non-null !)`, function () {
    this.timeout(60_000);
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(ROOT, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    assert.ok(config, 'tsconfig.json parses');
    const program = ts.createProgram(files, config.options);
    const checker = program.getTypeChecker();
    const unchecked: string[] = [];
    for (const file of files) {
      const source = program.getSourceFile(file);
      assert.ok(source, file);
      const visit = (node: ts.Node): void => {
        const where = () => `${relative(file)}:${lineOf(source, node.getStart(source))} ${node.getText(source).replace(/\s+/g, ' ').slice(0, 80)}`;
        if (ts.isNonNullExpression(node)) unchecked.push(where());
        if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !ts.isConstTypeReference(node.type)) {
          const target = checker.getTypeFromTypeNode(node.type);
          const toAny = (target.flags & ts.TypeFlags.Any) !== 0;
          if (toAny || !checker.isTypeAssignableTo(checker.getTypeAtLocation(node.expression), target)) unchecked.push(where());
        }
        node.forEachChild(visit);
      };
      visit(source);
    }
    assert.ok(unchecked.length <= MAX_UNCHECKED_ASSERTIONS, `${unchecked.length} unchecked assertions:\n  ${unchecked.join('\n  ')}`);
  });
});
