// YAML syntax errors, placed where a person can fix them. The yaml library notices an
// unclosed flow collection ("[", "{") or quoted scalar only where the document goes on
// without it — often the end of the file — so such an error is reported at the line and
// column where the construct opened, with the place it was noticed in the message.
import { CST, LineCounter, Parser, type YAMLError } from "yaml";

export interface SyntaxProblem {
  /** `line L, column C` */
  readonly where: string;
  readonly message: string;
}

type Kind = "flow sequence" | "flow map" | "double-quoted string" | "single-quoted string";

interface Unclosed {
  readonly kind: Kind;
  readonly offset: number;
  readonly opener: string;
}

/** The syntax errors of `source` (as parseDocument reported them), each at the place to fix. */
export function syntaxProblems(source: string, errors: readonly YAMLError[]): SyntaxProblem[] {
  const lines = new LineCounter();
  const unclosed: Unclosed[] = [];
  for (const token of new Parser(lines.addNewLine).parse(source)) collectUnclosed(token, unclosed);
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const used = new Set<Unclosed>();
  return errors.map((e) => {
    const noticed = e.pos[0];
    const kind = kindOf(e);
    // the innermost construct of that kind opened before the error and not yet claimed
    const opened = kind
      ? unclosed.filter((u) => u.kind === kind && u.offset < noticed && !used.has(u)).sort((a, b) => b.offset - a.offset)[0]
      : undefined;
    if (!opened) return { where: at(noticed), message: `YAML syntax error: ${firstLine(e.message)}` };
    used.add(opened);
    return {
      where: at(opened.offset),
      message: `YAML syntax error: this ${opened.kind} ("${opened.opener}") is never closed (noticed at ${at(noticed)})`,
    };
  });
}

function kindOf(e: YAMLError): Kind | undefined {
  const message = e.message;
  if (/^Flow sequence\b/.test(message)) return "flow sequence";
  if (/^Flow map\b/.test(message)) return "flow map";
  if (/^Missing closing "quote/.test(message)) return "double-quoted string";
  if (/^Missing closing 'quote/.test(message)) return "single-quoted string";
  return undefined;
}

function collectUnclosed(token: CST.Token | undefined, into: Unclosed[]): void {
  if (!token) return;
  switch (token.type) {
    case "document":
      collectUnclosed(token.value, into);
      return;
    case "flow-collection": {
      const seq = token.start.source === "[";
      const closer = seq ? "flow-seq-end" : "flow-map-end";
      if (!token.end.some((t) => t.type === closer))
        into.push({ kind: seq ? "flow sequence" : "flow map", offset: token.offset, opener: token.start.source });
      for (const item of token.items) {
        collectUnclosed(item.key ?? undefined, into);
        collectUnclosed(item.value, into);
      }
      return;
    }
    case "block-map":
    case "block-seq":
      for (const item of token.items) {
        if ("key" in item) collectUnclosed(item.key ?? undefined, into);
        collectUnclosed(item.value, into);
      }
      return;
    case "double-quoted-scalar":
      if (!closedDoubleQuoted(token.source)) into.push({ kind: "double-quoted string", offset: token.offset, opener: '"' });
      return;
    case "single-quoted-scalar":
      if (!closedSingleQuoted(token.source)) into.push({ kind: "single-quoted string", offset: token.offset, opener: "'" });
      return;
    default:
      return;
  }
}

/** `"..."` ends with a quote that no backslash escapes. */
function closedDoubleQuoted(source: string): boolean {
  if (source.length < 2 || !source.endsWith('"')) return false;
  const backslashes = /\\*$/.exec(source.slice(1, -1))?.[0].length ?? 0;
  return backslashes % 2 === 0;
}

/** `'...'` ends with a quote that is not half of an escaped `''`. */
function closedSingleQuoted(source: string): boolean {
  const quotes = /'*$/.exec(source.slice(1))?.[0].length ?? 0;
  return quotes % 2 === 1;
}

function firstLine(message: string): string {
  // prettyErrors appends " at line L, column C:" and a code frame; the position is reported separately.
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}
