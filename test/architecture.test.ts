/**
 * The shape of the code, checked on the sources with the TypeScript compiler's parser:
 * no import cycle (type imports included), a library that knows nothing of Node-RED,
 * no function longer than 60 lines of its own, and hardly any casts that silence the checker.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');
const MAX_OWN_LINES = 60;
const MAX_ESCAPE_CASTS = 2;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC);
const parsed = new Map(files.map((file) => [file, ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)]));
const relative = (file: string) => path.relative(SRC, file);

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

/** Lines of a function's body that are not inside a nested function. */
function ownLines(fn: ts.FunctionLikeDeclaration, source: ts.SourceFile): number {
  if (!fn.body) return 0;
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const lines = new Set<number>();
  for (let line = lineOf(fn.body.getStart(source)); line <= lineOf(fn.body.getEnd()); line++) lines.add(line);
  const visit = (node: ts.Node): void => {
    if (node !== fn && ts.isFunctionLike(node) && 'body' in node && node.body) {
      for (let line = lineOf(node.getStart(source)) + 1; line <= lineOf(node.getEnd()); line++) lines.delete(line);
      return;
    }
    node.forEachChild(visit);
  };
  fn.body.forEachChild(visit);
  return lines.size;
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

  it(`has no function longer than ${MAX_OWN_LINES} lines of its own (nested functions not counted)`, () => {
    const long: string[] = [];
    for (const [file, source] of parsed) {
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const count = ownLines(node as ts.FunctionLikeDeclaration, source);
          if (count > MAX_OWN_LINES) long.push(`${relative(file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} (${count} lines)`);
        }
        node.forEachChild(visit);
      };
      visit(source);
    }
    assert.deepEqual(long, []);
  });

  it(`silences the type checker at most ${MAX_ESCAPE_CASTS} times (as never, as unknown as)`, () => {
    const casts: string[] = [];
    for (const [file, source] of parsed) {
      const visit = (node: ts.Node): void => {
        if (ts.isAsExpression(node)) {
          const type = node.type;
          const toNever = type.kind === ts.SyntaxKind.NeverKeyword;
          const throughUnknown = ts.isAsExpression(node.expression) && node.expression.type.kind === ts.SyntaxKind.UnknownKeyword;
          if (toNever || throughUnknown) casts.push(`${relative(file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`);
        }
        node.forEachChild(visit);
      };
      visit(source);
    }
    assert.ok(casts.length <= MAX_ESCAPE_CASTS, `${casts.length} escape casts: ${casts.join(', ')}`);
  });
});
