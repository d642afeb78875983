// After all test files: removes the diff cache that global-setup.ts made.
import { rmSync } from "node:fs";

export default function globalTeardown(): void {
  const dir = (globalThis as { testDiffCache?: string }).testDiffCache;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
