// factory diff: what a change does to each environment, offline, for a review.
//   factory diff --base <git-ref> [--config FILE]...   base revision vs working tree
//   factory diff --base-dir A [--head-dir B]           existing synth outputs
// Exit codes follow `terraform plan -detailed-exitcode`: 0 no changes, 2 changes,
// 1 anything else — usage errors included, so that `$? -eq 2` always means "changed".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadEnvironments } from "../config/load";
import { synthesize } from "../main";
import { configFiles } from "./config-files";
import { synthesizeRevision } from "./diff/base-revision";
import { compareSynthOutputs } from "./diff/compare";
import { renderJson } from "./diff/render-json";
import { renderMarkdown } from "./diff/render-markdown";
import { renderText } from "./diff/render-text";
import type { DiffReport } from "./diff/report";
import { readSynthOutput, SynthOutput } from "./diff/synth-output";
import { EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";

const EXIT_CHANGES = 2;

const RENDERERS: Record<string, (report: DiffReport, maxLength?: number) => string> = {
  markdown: (report, maxLength) => renderMarkdown(report, { maxLength }),
  text: renderText,
  json: renderJson,
};

// Summary, usage and its usage-error exit code (1) are in the COMMANDS table of factory.ts.
export const diffCommand: Command = {
  options: {
    base: { type: "string" },
    "base-dir": { type: "string" },
    "head-dir": { type: "string" },
    config: { type: "string", multiple: true, short: "c" },
    format: { type: "string", short: "f", default: "markdown" },
    /** markdown only: cut the folded details to fit a PR comment (0: never cut). */
    "max-length": { type: "string" },
  },
  run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const base = values.base as string | undefined;
    const baseDir = values["base-dir"] as string | undefined;
    const headDir = values["head-dir"] as string | undefined;
    const configs = values.config as string[] | undefined;
    const render = RENDERERS[values.format as string];
    if (!render) throw new UsageError(`--format must be markdown, text or json, not "${String(values.format)}"`);
    if ((base === undefined) === (baseDir === undefined)) throw new UsageError("give either --base REF or --base-dir DIR");
    const maxLengthText = values["max-length"] as string | undefined;
    if (maxLengthText !== undefined && !/^\d+$/.test(maxLengthText))
      throw new UsageError(`--max-length must be a number of characters, not "${maxLengthText}"`);
    const maxLength = maxLengthText === undefined ? undefined : Number(maxLengthText);
    if (headDir !== undefined && configs !== undefined)
      throw new UsageError("--config applies to the working tree; it cannot go with --head-dir");

    const scratch = mkdtempSync(path.join(tmpdir(), "factory-diff-"));
    try {
      const head = headDir !== undefined ? readSynthOutput(headDir) : synthesizeWorkingTree(configs, path.join(scratch, "head"));
      let before: SynthOutput;
      if (baseDir !== undefined) {
        before = readSynthOutput(baseDir);
      } else {
        const out = synthesizeRevision({
          ref: base!,
          configs,
          outDir: path.join(scratch, "base"),
          cwd: process.cwd(),
          log: (l) => process.stderr.write(`${l}\n`),
        });
        before = readSynthOutput(out);
      }
      const report = compareSynthOutputs(before, head);
      process.stdout.write(render(report, maxLength));
      return report.changed ? EXIT_CHANGES : EXIT_OK;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

function synthesizeWorkingTree(configs: string[] | undefined, out: string): SynthOutput {
  synthesize(loadEnvironments(configFiles(configs)), out);
  return readSynthOutput(out);
}
