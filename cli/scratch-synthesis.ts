// For commands that only read synthesized stacks (check, templates): synthesize into a
// temporary directory, hand it over, and remove it whatever happens.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { LoadedEnvironment } from "../config/load";
import { synthesize } from "../main";
import type { StackBuilder } from "../stacks/image-factory";

export async function withScratchSynthesis<T>(
  environments: LoadedEnvironment[],
  use: (dir: string) => T | Promise<T>,
  build?: StackBuilder,
): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), "factory-synth-"));
  try {
    synthesize(environments, dir, build);
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
