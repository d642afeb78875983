// test/fixtures/maximal.yaml on the local cloud — every optional key, egress: jump, three
// zones and jump hosts, IPv6 admins, a JENKINS_HOME volume, a web tenant of its own:
// deployed with cdktf as a tenant, read back, planned again with nothing to do, torn down
// leaving nothing. (Its S3 state backend becomes local: the local cloud has no S3.)
import { MAXIMAL } from "../helpers";
import { deployedProblems } from "./checks";
import { EMPTY, FactoryOnCloud, leftovers } from "./factory-on-cloud";

jest.setTimeout(40 * 60 * 1000);

// Deployed with a tenant's rights: Neutron's default policy refuses a tenant `routerSnat: false`
// (enable_snat), so the router keeps its SNAT, as on most clouds.
const f = new FactoryOnCloud(MAXIMAL, (data) => {
  data.backend = { type: "local" };
  data.network.routerSnat = true;
});

afterAll(() => f.finish());

test("the tenants start empty", () => {
  for (const [label, t] of Object.entries(f.views())) expect({ label, left: leftovers(t) }).toEqual({ label, left: EMPTY });
});

test("cdktf deploy of every stack, in manifest order", async () => {
  await f.d.deploy(...f.stacks);
});

test("the cloud holds what the user asked for, and the outputs say what is true", async () => {
  expect(deployedProblems(f.env(), f.views(), await f.outputs())).toEqual([]);
});

test("a second plan of every stack has nothing to do", async () => {
  expect(await f.planned()).toEqual([]);
});

test("every stack destroyed leaves both projects empty", async () => {
  expect(await f.teardown()).toEqual([]);
  for (const [label, t] of Object.entries(f.views())) expect({ label, left: leftovers(t) }).toEqual({ label, left: EMPTY });
});
