// Where the factory keeps what it can make again: $FACTORY_CACHE_DIR, else the user's
// cache directory ($XDG_CACHE_HOME, else ~/.cache) + openstack-image-factory.
import { homedir } from "node:os";
import * as path from "node:path";

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FACTORY_CACHE_DIR) return path.resolve(env.FACTORY_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "openstack-image-factory");
}
