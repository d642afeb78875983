// No string of an environment file may become a Terraform expression. Terraform reads
// "${" and "%{" in a JSON string as the start of an interpolation or a directive, and cdktf
// turns "${TfToken[...]}" into a reference before Terraform sees it: a flavor of
// '${file("/etc/passwd")}' would be evaluated on the operator's machine at plan time.
//
// Such strings are refused, not escaped: no value this file holds (names, flavors, CIDRs,
// URLs, keys, addresses) has a use for them, and the same strings also reach places whose
// escaping differs from Terraform's — the backend block (never a template), Jenkins' JCasC
// (which expands "${...}" itself) and the shell of first boot. One refusal at the door
// covers every key, present and future, and every consumer.

/** The sequences that open a Terraform template interpolation or directive. */
const TEMPLATE_SEQUENCES = ["${", "%{"] as const;

export interface TemplateSequenceProblem {
  /** Where in the data, as the schema's issue paths are (array indices as numbers). */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** Every string in `data` (a parsed YAML document) that holds a template sequence. */
export function templateSequenceProblems(data: unknown, path: Array<string | number> = []): TemplateSequenceProblem[] {
  if (typeof data === "string") {
    const found = TEMPLATE_SEQUENCES.filter((s) => data.includes(s));
    if (found.length === 0) return [];
    return [
      {
        path,
        message: `must not contain ${found.map((s) => `"${s}"`).join(" or ")}: Terraform would read it as an expression and evaluate it`,
      },
    ];
  }
  if (Array.isArray(data)) return data.flatMap((item, i) => templateSequenceProblems(item, [...path, i]));
  if (data !== null && typeof data === "object") {
    return Object.entries(data).flatMap(([key, value]) => templateSequenceProblems(value, [...path, key]));
  }
  return [];
}
