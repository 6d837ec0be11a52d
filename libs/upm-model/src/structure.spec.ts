/**
 * Issue 13's rule for the domain core: no function or method body over 80 lines unless a comment before it
 * says why: a comment line starting `Long:` (or `Long on purpose:`) and the reason, the convention already in
 * use (`// Long: one pass over ...`); and no class with more than 30 fields. Walks every non-spec .ts file under
 * libs/upm-model/src with the TypeScript compiler API.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const MAX_BODY_LINES = 80;
const MAX_CLASS_FIELDS = 30;
const LONG_MARKER = 'Long:';
/** `Long:` / `Long on purpose:` and a reason at the start of a comment line (`// Long: ...`, ` * Long: ...`). */
const JUSTIFIED = /(^|\n)\s*(\/\/|\/\*\*?|\*)\s*Long( on purpose)?: \S/;

/** Breaches not fixed yet, by file and function ("file name"). The list can only shrink: an entry that no longer breaks fails too. */
const PENDING: string[] = [];

const SRC = __dirname;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

type FunctionLike = ts.FunctionLikeDeclaration & { body: ts.Block };

function isFunctionWithBlock(n: ts.Node): n is FunctionLike {
  return (
    (ts.isFunctionDeclaration(n) ||
      ts.isMethodDeclaration(n) ||
      ts.isConstructorDeclaration(n) ||
      ts.isGetAccessorDeclaration(n) ||
      ts.isSetAccessorDeclaration(n) ||
      ts.isFunctionExpression(n) ||
      ts.isArrowFunction(n)) &&
    n.body !== undefined &&
    ts.isBlock(n.body)
  );
}

/** The comments before the node and before each enclosing node up to the statement or member it is part of. */
function leadingComments(node: ts.Node, text: string): string {
  const parts: string[] = [];
  for (let n: ts.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    for (const r of ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []) parts.push(text.slice(r.pos, r.end));
    if (ts.isStatement(n) || ts.isClassElement(n) || ts.isPropertyAssignment(n)) break;
  }
  return parts.join('\n');
}

function nameOf(n: ts.Node, sf: ts.SourceFile): string {
  const named = n as { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  if (ts.isConstructorDeclaration(n)) return 'constructor';
  const p = n.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)))
    return p.name.getText(sf);
  return '(anonymous)';
}

/** Fields of a class: property declarations and constructor parameter properties. */
function fieldCount(c: ts.ClassLikeDeclaration): number {
  let n = 0;
  for (const m of c.members) {
    if (ts.isPropertyDeclaration(m)) n++;
    else if (ts.isConstructorDeclaration(m))
      n += m.parameters.filter((p) => ts.isParameterPropertyDeclaration(p, m)).length;
  }
  return n;
}

/** Every breach of the rule in one file's text, as "file:line name: what". */
function structureProblems(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const problems: string[] = [];
  const visit = (n: ts.Node) => {
    if (isFunctionWithBlock(n)) {
      const lines = line(n.body.getEnd()) - line(n.body.getStart(sf)) + 1;
      if (lines > MAX_BODY_LINES && !JUSTIFIED.test(leadingComments(n, text)))
        problems.push(
          `${file}:${line(n.getStart(sf))} ${nameOf(n, sf)}: body of ${lines} lines, no "${LONG_MARKER} <why>" comment`,
        );
    }
    if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) {
      const fields = fieldCount(n);
      if (fields > MAX_CLASS_FIELDS)
        problems.push(`${file}:${line(n.getStart(sf))} class ${n.name?.text ?? '(anonymous)'}: ${fields} fields`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return problems;
}

describe('structure of libs/upm-model (issue 13)', () => {
  const body = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  x += ${i};`).join('\n');

  it('flags a long body without a reason, and a class with too many fields', () => {
    const long = `function f() {\n${body(MAX_BODY_LINES + 1)}\n}\n`;
    expect(structureProblems('a.ts', long)).toEqual([`a.ts:1 f: body of 81 lines, no "${LONG_MARKER} <why>" comment`]);
    const method = `class C {\n  m(): void {\n${body(MAX_BODY_LINES + 1)}\n  }\n}\n`;
    expect(structureProblems('b.ts', method)).toHaveLength(1);
    // the marker needs a reason, at the start of a comment line
    const bare = `// ${LONG_MARKER}\nfunction f() {\n${body(90)}\n}\n// see Long: elsewhere\nfunction g() {\n${body(90)}\n}\n`;
    expect(structureProblems('f.ts', bare)).toHaveLength(2);
    const arrow = `export const g = () => {\n${body(MAX_BODY_LINES + 5)}\n};\n`;
    expect(structureProblems('c.ts', arrow)).toEqual([`c.ts:1 g: body of 85 lines, no "${LONG_MARKER} <why>" comment`]);
    const fields = Array.from({ length: MAX_CLASS_FIELDS }, (_, i) => `  f${i} = 0;`).join('\n');
    expect(
      structureProblems('d.ts', `class D {\n${fields}\n  constructor(private readonly extra: number) {}\n}\n`),
    ).toEqual(['d.ts:1 class D: 31 fields']);
  });

  it('accepts a body of 80 lines, a justified long one, and 30 fields', () => {
    expect(structureProblems('a.ts', `function f() {\n${body(MAX_BODY_LINES)}\n}\n`)).toEqual([]);
    const justified = `/**\n * Does f.\n * ${LONG_MARKER} one pass.\n */\nexport function f() {\n${body(200)}\n}\n`;
    expect(structureProblems('b.ts', justified)).toEqual([]);
    const method = `class C {\n  // Long on purpose: one pass\n  /** Does m. */\n  m(): void {\n${body(90)}\n  }\n}\n`;
    expect(structureProblems('e.ts', method)).toEqual([]);
    const arrow = `// ${LONG_MARKER} one pass\nconst g = () => {\n${body(100)}\n};\n`;
    expect(structureProblems('c.ts', arrow)).toEqual([]);
    const fields = Array.from({ length: MAX_CLASS_FIELDS }, (_, i) => `  f${i} = 0;`).join('\n');
    expect(structureProblems('d.ts', `class D {\n${fields}\n}\n`)).toEqual([]);
  });

  it('holds for every source file', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((f) => structureProblems(path.relative(SRC, f), fs.readFileSync(f, 'utf8')));
    const key = (p: string) => p.replace(/:\d+ /, ' ').replace(/: .*$/, '');
    expect(problems.filter((p) => !PENDING.includes(key(p)))).toEqual([]);
    expect(PENDING.filter((k) => !problems.some((p) => key(p) === k))).toEqual([]);
  });
});
