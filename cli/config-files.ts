// Which environment files a command works on: the --config options, else environments/*.yaml.
import { defaultEnvironmentFiles, DEFAULT_ENVIRONMENTS_DIR } from "../main";
import { CliError } from "./errors";

export function configFiles(given: string[] | undefined): string[] {
  if (given && given.length > 0) return given;
  const found = defaultEnvironmentFiles();
  if (found.length === 0) {
    throw new CliError(`${DEFAULT_ENVIRONMENTS_DIR}/: no environment files (*.yaml) found; pass --config FILE`);
  }
  return found;
}
