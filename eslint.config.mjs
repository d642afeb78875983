// ESLint: @eslint/js and typescript-eslint recommended, without type information so it
// stays fast. Formatting is Prettier's (npm run lint checks it, npm run format writes it).
import { defineConfig } from "eslint/config";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default defineConfig(
  // Generated (the provider bindings), compiled or synthesized.
  { ignores: [".gen/", "dist/", "cdktf.out/", "coverage/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Dropping keys by destructuring into a rest (`const { a: _a, ...rest } = x`) is the idiom.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
      // The regexes with control characters mean them: git's ref-name rules, terminal escapes.
      "no-control-regex": "off",
    },
  },
  {
    files: ["**/*.js"],
    // bin/ and tools/ scripts are CommonJS that node runs as they are.
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      // Tests read synthesized Terraform JSON and tool output, whose shape they assert, as `any`.
      "@typescript-eslint/no-explicit-any": "off",
      // Their regexes quote command output verbatim, TAP's `#   ` diagnostics among it.
      "no-regex-spaces": "off",
    },
  },
);
