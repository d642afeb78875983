// The cdktf app: every environment file becomes its set of stacks. `factory synth` calls
// synthesize() in-process; `cdktf synth|deploy` runs this file (see cdktf.json), reading
// the environment files from FACTORY_CONFIG (colon-separated) or environments/*.yaml.
import { mkdirSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { LoadedEnvironment, loadEnvironments } from "./config/load";
import { addEnvironment, StackBuilder } from "./stacks/image-factory";

export const DEFAULT_ENVIRONMENTS_DIR = "environments";

/** The environment files `factory synth` uses when none are given. */
export function defaultEnvironmentFiles(dir = DEFAULT_ENVIRONMENTS_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

export interface SynthResult {
  readonly stacks: string[];
}

/** Synthesizes the stacks of validated environments (all, or those `build` adds) into `outdir`. */
export function synthesize(environments: LoadedEnvironment[], outdir: string, build: StackBuilder = addEnvironment): SynthResult {
  return withoutTokenStackTraces(() => {
    // stackTraces off: construct metadata would otherwise carry absolute source paths.
    const app = new App({ outdir, stackTraces: false });
    const stacks = environments.flatMap(({ env }) => build(app, env).map((s) => s.node.id));
    app.synth();
    return { stacks };
  });
}

/**
 * cdktf captures and formats a full stack trace for every token it creates, for error
 * messages about tokens that we never print: about 15% of synth time (npm run bench).
 * While synthesizing, V8 is asked for empty traces instead; errors keep their messages,
 * and FACTORY_DEBUG=1 keeps the traces.
 */
function withoutTokenStackTraces<T>(synth: () => T): T {
  if (process.env.FACTORY_DEBUG) return synth();
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = () => "";
  try {
    return synth();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

if (require.main === module) {
  const fromEnv = process.env.FACTORY_CONFIG?.split(":").filter(Boolean);
  const files = fromEnv && fromEnv.length > 0 ? fromEnv : defaultEnvironmentFiles();
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  // cdktf's App creates only the last level (`cdktf deploy --output build/cdktf.out` needs build/).
  mkdirSync(path.dirname(path.resolve(outdir)), { recursive: true });
  synthesize(loadEnvironments(files), outdir);
}
