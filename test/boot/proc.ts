// Child processes of the boot test: every command has a deadline, and whatever is still
// running when the test stops (failure, Ctrl-C, SIGTERM from CI) is killed.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";

const running = new Set<number>();

/** Kills every child still running (their whole process group). */
export function killAll(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

/**
 * Asks every child still running to stop (SIGTERM to its process group, so a tool can
 * undo its mounts and loop devices), waits up to graceMs, then kills what is left.
 */
export async function terminateAll(graceMs: number): Promise<void> {
  const alive = (pid: number) => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while ([...running].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  killAll();
}

export interface RunOptions {
  /** Seconds before the command is killed and the run counts as failed. */
  readonly timeoutSeconds: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Everything the command prints (stdout and stderr) is appended here. */
  readonly logFile?: string;
  /** Called with each complete line of output as it arrives. */
  readonly onLine?: (line: string) => void;
  readonly input?: string;
  /** Receives a function that kills the command early (e.g. once a VM has said all it will). */
  readonly onStart?: (kill: () => void) => void;
}

export interface RunResult {
  readonly status: number | null;
  readonly timedOut: boolean;
  readonly output: string;
  readonly seconds: number;
}

/** Runs a command in its own process group; never rejects, the caller judges the result. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true, // own process group: a timeout kills qemu's or apt's children too
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (child.pid !== undefined) running.add(child.pid);
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    options.onStart?.(killGroup);
    const log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    let output = "";
    let partial = "";
    const take = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log?.write(chunk);
      // Keep the tail only: a VM console can print megabytes.
      output = (output + text).slice(-2_000_000);
      if (options.onLine) {
        const lines = (partial + text).split(/\r?\n/);
        partial = lines.pop() ?? "";
        for (const line of lines) options.onLine(line);
      }
    };
    child.stdout?.on("data", take);
    child.stderr?.on("data", take);
    if (options.input !== undefined) child.stdin?.end(options.input);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutSeconds * 1000);
    const finish = (status: number | null) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      if (partial && options.onLine) options.onLine(partial);
      log?.end();
      resolve({ status, timedOut, output, seconds: (Date.now() - started) / 1000 });
    };
    child.on("error", (e) => {
      output += `\n${command}: ${e.message}\n`;
      finish(null);
    });
    child.on("close", (code) => finish(code));
  });
}

/** Runs a command that must succeed; throws with its output's tail otherwise. */
export async function mustRun(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.status !== 0) {
    const why = r.timedOut ? `timed out after ${options.timeoutSeconds} s` : `exited with ${r.status}`;
    throw new Error(`${command} ${args.join(" ")} ${why}:\n${tail(r.output, 40)}`);
  }
  return r;
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
