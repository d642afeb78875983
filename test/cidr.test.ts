// The environment's CIDRs are parsed once, by the schema: the validated environment holds
// Cidr values (config/cidr.ts), the resolved model and the stacks take them as they are,
// and the model file Jenkins reads (factory.json) holds their text as written.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Cidr } from "../config/cidr";
import { modelFile, resolveFactory } from "../config/factory-model";
import { EnvironmentSchema } from "../config/schema";
import { environment, exampleData, maximalEnvironment, REPO, synthEnvironment } from "./helpers";

function cidr(text: string): Cidr {
  const parsed = Cidr.parse(text);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

describe("Cidr", () => {
  test("holds the text as written, its IP version, network address and prefix length", () => {
    expect(cidr("10.20.0.0/24")).toMatchObject({ text: "10.20.0.0/24", version: 4, address: "10.20.0.0", prefix: 24 });
    expect(cidr("2001:db8::/32")).toMatchObject({ text: "2001:db8::/32", version: 6, address: "2001:db8::", prefix: 32 });
  });

  test("an unparsable text gives the message the schema and Peer report", () => {
    expect(Cidr.parse("10.20.0.5/24")).toBe('"10.20.0.5/24" has host bits set; did you mean 10.20.0.0/24?');
    expect(Cidr.parse("10.20.0.0")).toBe('"10.20.0.0" is not a CIDR (expected address/prefix, e.g. 203.0.113.0/24)');
    expect(Cidr.parse("fd00::/129")).toBe('prefix length "/129" must be between 0 and 128');
  });

  test("nthAddress counts from the network address, or back from the broadcast address", () => {
    const net = cidr("10.40.0.0/22");
    expect([net.nthAddress(1), net.nthAddress(300), net.nthAddress(-2)]).toEqual(["10.40.0.1", "10.40.1.44", "10.40.3.254"]);
    expect(() => net.nthAddress(1024)).toThrow("address #1024 is outside 10.40.0.0/22");
    expect(() => cidr("fd00::/64").nthAddress(1)).toThrow("nthAddress supports IPv4 only, got fd00::/64");
  });

  test("contains: a narrower network of the same version inside it", () => {
    const net = cidr("203.0.113.0/24");
    expect(net.contains(cidr("203.0.113.128/25"))).toBe(true);
    expect(net.contains(net)).toBe(true);
    expect(net.contains(cidr("203.0.112.0/23"))).toBe(false);
    expect(net.contains(cidr("198.51.100.0/25"))).toBe(false);
    expect(cidr("::/0").contains(cidr("0.0.0.0/0"))).toBe(false);
  });

  test("serializes and interpolates as its text, and cannot be changed", () => {
    const net = cidr("10.20.0.0/24");
    expect(JSON.stringify({ cidr: net })).toBe('{"cidr":"10.20.0.0/24"}');
    expect(`${net}`).toBe("10.20.0.0/24");
    expect(() => Object.assign(net, { prefix: 16 })).toThrow(TypeError);
  });
});

describe("the environment's CIDRs", () => {
  test("the loaded environment holds them parsed: network.cidr, web.cidr, admin.cidrs", () => {
    const env = environment();
    expect(env.network.cidr).toBeInstanceOf(Cidr);
    expect(env.network.cidr).toMatchObject({ text: "10.20.0.0/24", version: 4, address: "10.20.0.0", prefix: 24 });
    expect(env.web?.cidr).toBeInstanceOf(Cidr);
    expect(env.admin.cidrs.map((c) => [c instanceof Cidr, c.text, c.version, c.prefix])).toEqual([[true, "203.0.113.0/24", 4, 24]]);
    expect(maximalEnvironment().admin.cidrs.map((c) => `${c.address} /${c.prefix}`)).toEqual([
      "203.0.113.0 /24",
      "198.51.100.7 /32",
      "192.0.2.128 /25",
    ]);
  });

  test("a default (web.cidr's) is parsed like a written one", () => {
    const env = environment((d) => delete d.web.cidr);
    expect(env.web?.cidr).toBeInstanceOf(Cidr);
    expect(env.web?.cidr).toMatchObject({ text: "10.30.0.0/24", prefix: 24 });
  });

  test("web.cidr must differ from network.cidr in the same tenant (compared parsed), not in another one", () => {
    const same = exampleData();
    same.web.cidr = same.network.cidr;
    expect(EnvironmentSchema.safeParse(same).success).toBe(true); // the example's web servers are in their own tenant
    delete same.web.cloud;
    const issues = EnvironmentSchema.safeParse(same).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues).toEqual(["web.cidr: must differ from network.cidr in the same tenant"]);
  });

  test("the model takes the schema's Cidr itself, and synthesizing the stacks parses none of them again", () => {
    const env = maximalEnvironment(); // egress: jump (the subnet is a peer too), three admin CIDRs, web servers
    const texts = new Set([env.network.cidr, env.web!.cidr, ...env.admin.cidrs].map((c) => c.text));
    const parse = jest.spyOn(Cidr, "parse");
    try {
      const model = resolveFactory(env);
      expect(model.plan.cidr).toBe(env.network.cidr);
      expect(model.webPlan?.cidr).toBe(env.web?.cidr);
      synthEnvironment(env);
      // Parsed on the way: the strings from elsewhere (0.0.0.0/0, the jump hosts' /32s), not the environment's.
      expect(parse).toHaveBeenCalledWith("0.0.0.0/0");
      expect(parse.mock.calls.map(([text]) => text).filter((text) => texts.has(text))).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  test("the model file holds each CIDR's text as written, and validates back to the same environment", () => {
    const env = maximalEnvironment();
    const written = JSON.parse(JSON.stringify(modelFile(resolveFactory(env)))).environment;
    expect([written.network.cidr, written.web.cidr, written.admin.cidrs]).toEqual([
      "10.40.0.0/22",
      "10.50.0.0/24",
      ["203.0.113.0/24", "198.51.100.7/32", "192.0.2.128/25"],
    ]);
    expect(EnvironmentSchema.parse(written)).toEqual(env);
    // and the committed one of the example, which `factory templates --check` keeps byte for byte
    const committed = JSON.parse(readFileSync(path.join(REPO, "jobs", "build-hosts", "example", "factory.json"), "utf8")).environment;
    const example = exampleData();
    expect([committed.network.cidr, committed.admin.cidrs]).toEqual([example.network.cidr, example.admin.cidrs]);
  });

  test("only the schema parses an environment's CIDR; the other parsers take strings from elsewhere", () => {
    const files = spawnSync("git", ["ls-files", "-z", "--", "*.ts"], { cwd: REPO, encoding: "utf8" })
      .stdout.split("\0")
      .filter((f) => f && !f.startsWith("test/") && !f.startsWith(".gen/"));
    const parsers = files.filter((f) => /\bCidr\.parse\(/.test(readFileSync(path.join(REPO, f), "utf8"))).sort();
    expect(parsers).toEqual([
      "cli/diff/flags.ts", // the rule prefixes of two Terraform syntheses
      "config/schema.ts", // the environment's, once
      "constructs/peer.ts", // constants, the jump hosts' /32s, floating IPs' tokens
    ]);
  });
});
