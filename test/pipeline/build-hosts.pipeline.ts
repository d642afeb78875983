// Build hosts and test servers on the real Nova, Neutron and Cinder: stage 2 applies the
// committed template with the real Terraform and provider under the maxInstances lock (two
// builds racing for the last slot), stage 3 on a host whose console shows no key, stage 9's
// test server deleted after a passing and a failing suite, stage 15 destroying a host and
// keeping a kept one; then the reaper: expired hosts of this factory deleted with their
// ports and volumes, kept, young and other factories' ones left, half-deleted hosts cleaned
// up, a failure halfway cleaned up by the next run. (The fake hypervisor boots nothing: a
// server goes ACTIVE, nothing answers SSH; the image test suite itself is a stand-in here.)
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { findToolchain } from "../../cli/terraform/toolchain";
import { Build, dropImages, expectStatus, look, Pipeline, qcow2, R1, run, Run, scriptEnv, tail, CLOUD, ENV_NAME } from "./support";

const N = "Pipeline_Tested";
const pipeline = new Pipeline();
const terraform = findToolchain().terraform;
const osc = (...args: string[]) => run("openstack", args, scriptEnv());
const hostName = (id: string) => `${ENV_NAME}-build-${id}`;

interface Tenant {
  project: string;
  servers: {
    id: string;
    name: string;
    status: string;
    image: string;
    metadata: Record<string, string>;
    key_name: string | null;
    addresses: Record<string, string[]>;
    volumes: string[];
  }[];
  ports: { id: string; name: string; device_id: string; device_owner: string; tags: string[]; security_groups: string[] }[];
  volumes: { id: string; name: string; status: string; size: number; metadata: Record<string, string>; attached_to: string[] }[];
  keypairs: string[];
}
const tenant = () => look<Tenant>(["tenant", "--cloud", CLOUD]);
/** What the tenant holds of one build host (or test server), by its name. */
function of(t: Tenant, name: string) {
  return {
    server: t.servers.find((s) => s.name === name),
    port: t.ports.find((p) => p.name === name),
    volume: t.volumes.find((v) => v.name === `${name}-scratch`),
    keypair: t.keypairs.includes(name),
  };
}
const securityGroupId = async () =>
  (await osc("security", "group", "show", `${ENV_NAME}-build-host`, "-f", "value", "-c", "id")).stdout.trim();

let kept: Build;
const racers: Build[] = [];
let winner: Build;
afterAll(async () => {
  // A kept host is destroyed by hand when done (README): terraform destroy in its directory.
  if (kept && existsSync(path.join(kept.local, "terraform", "terraform.tfstate"))) await destroy(kept.id);
  await osc("server", "delete", "--wait", `${ENV_NAME}-other-build-x`);
  if (existsSync(path.join(pipeline.localRoot, "reap-young", "terraform"))) await destroy("reap-young");
  dropImages(N, [R1]);
  pipeline.dispose();
});

function destroy(id: string): Promise<Run> {
  return run(
    terraform,
    [
      "destroy",
      "-auto-approve",
      "-input=false",
      "-no-color",
      "-var",
      `build_id=${id}`,
      "-var",
      `agent_public_key=${readFileSync(`${pipeline.agentKey}.pub`, "utf8").trim()}`,
      "-var",
      "keep=false",
    ],
    pipeline.env(),
    {
      cwd: path.join(pipeline.localRoot, id, "terraform"),
    },
  );
}

describe("stage 2: spawn build host", () => {
  test("applies the committed template: server, port and scratch volume, marked for the reaper, kept when asked", async () => {
    kept = await pipeline.start(N, { KEEP_BUILD_HOST: "true" });
    const started = Date.now();
    const r = await pipeline.stage(kept, "02-spawn-build-host.sh", { KEEP_BUILD_HOST: "true" });
    expectStatus(r, 0, "stage 2");
    const outputs = JSON.parse(readFileSync(path.join(kept.local, "build-host.json"), "utf8"));
    expect(r.stdout.trim()).toBe(outputs.address.value);
    // The template the build applied is the committed one, in the controller's own directory.
    expect(readFileSync(path.join(kept.local, "terraform", "cdk.tf.json"), "utf8")).toBe(
      readFileSync(path.join(pipeline.repo.dir, "jobs", "build-hosts", ENV_NAME, "dib", "cdk.tf.json"), "utf8"),
    );
    const t = tenant();
    const { server, port, volume } = of(t, hostName(kept.id));
    expect(server).toMatchObject({
      id: outputs.server_id.value,
      status: "ACTIVE",
      addresses: { [`${ENV_NAME}-net`]: [outputs.address.value] },
      volumes: [volume!.id],
    });
    const { "expires-at": expiresAt, ...metadata } = server!.metadata;
    expect(metadata).toEqual({ factory: ENV_NAME, role: "build-host", "build-id": kept.id, template: "dib", keep: "true" });
    // ttlHours (24) from the apply.
    expect(Math.abs(Date.parse(expiresAt) - started - 24 * 3600_000)).toBeLessThan(10 * 60_000);
    expect(port).toMatchObject({
      device_id: server!.id,
      tags: [`build-id=${kept.id}`, `factory=${ENV_NAME}`, "role=build-host"],
      security_groups: [await securityGroupId()],
    });
    expect(volume).toMatchObject({
      status: "in-use",
      size: 10,
      attached_to: [server!.id],
      metadata: { factory: ENV_NAME, role: "build-host", "build-id": kept.id },
    });
  });

  test("two builds racing for the last slot (maxInstances 2): exactly one gets a host, the other exits 75 saying why", async () => {
    racers.push(await pipeline.start(N), await pipeline.start(N));
    const results = await Promise.all(
      racers.map((b) => pipeline.stage(b, "02-spawn-build-host.sh", { SPAWN_WAIT_MINUTES: "0", BUILD_HOST_LOCK_WAIT: "600" })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([0, 75]);
    const lost = results.findIndex((r) => r.status === 75);
    winner = racers[1 - lost];
    expect(results[lost].stderr).toContain("buildHosts.maxInstances (2) build hosts are running; none freed up within 0 minutes");
    expect(results[1 - lost].stderr).toContain("1 of 2 build hosts in use; spawning");
    // The loser created nothing.
    expect(existsSync(path.join(racers[lost].local, "terraform", "terraform.tfstate"))).toBe(false);
    const t = tenant();
    expect(
      t.servers
        .filter((s) => s.metadata.factory === ENV_NAME && s.metadata.role === "build-host")
        .map((s) => s.name)
        .sort(),
    ).toEqual([hostName(kept.id), hostName(winner.id)].sort());
    expect(of(t, hostName(racers[lost].id))).toEqual({ server: undefined, port: undefined, volume: undefined, keypair: false });
  });
});

test("stage 3 finds no SSH host key on the console of a host that printed none, and says so", async () => {
  const r = await pipeline.stage(winner, "03-add-agent.sh", { AGENT_WAIT_SECONDS: "1" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("printed no SSH host key on its console within 1 s");
  expect(pipeline.osc.calls()[0]).toMatch(/^console log show [0-9a-f-]{36}$/);
});

describe("stage 9: the test server", () => {
  const testServer = () => `${ENV_NAME}-test-${winner.id}`;
  const seen = () => path.join(pipeline.root, "test-server.json");
  /** The image test suite as a stand-in (nothing boots here): it looks at its server, then passes or fails. */
  function suite(exit: number): void {
    const runSh = path.join(winner.local, "repo", "jobs", "image-tests", "run.sh");
    writeFileSync(
      runSh,
      `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >${JSON.stringify(seen())}.args\nopenstack server show ${testServer()} -f json >${JSON.stringify(seen())}\necho "ok 1 - key login as linux"\necho "1..1"\nexit ${exit}\n`,
    );
    chmodSync(runSh, 0o755);
  }

  test("boots the registered image on the build-host network and group, and deletes it after a passing suite", async () => {
    const file = qcow2(pipeline.root, "tested");
    pipeline.built(winner, N, file);
    expectStatus(await pipeline.stage(winner, "08-register.sh"), 0, "stage 8");
    const imageId = readFileSync(path.join(winner.local, "image-id"), "utf8").trim();
    suite(0);
    const r = await pipeline.stage(winner, "09-test-image.sh", { IPERF3_SERVER: "10.60.0.5" });
    expectStatus(r, 0, "stage 9");
    const shown = JSON.parse(readFileSync(seen(), "utf8"));
    expect(shown).toMatchObject({ status: "ACTIVE", key_name: testServer(), flavor: expect.stringContaining("m1.small") });
    expect(JSON.stringify(shown.image)).toContain(imageId);
    expect(JSON.stringify(shown.security_groups)).toContain(`${ENV_NAME}-build-host`);
    expect(shown.properties).toMatchObject({
      factory: ENV_NAME,
      role: "image-test",
      "build-id": winner.id,
      keep: "false",
      "expires-at": expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const address = shown.addresses[`${ENV_NAME}-net`][0];
    // The suite ran against that address as the catalogue's login user, with the controller's iperf3.
    expect(readFileSync(`${seen()}.args`, "utf8").trim()).toBe(
      `--host ${address} --user linux --key ${pipeline.agentKey} --wait 600 --iperf3 10.60.0.5 --min-mbits 100`,
    );
    expect(of(tenant(), testServer())).toEqual({ server: undefined, port: undefined, volume: undefined, keypair: false });
    expect(readFileSync(path.join(winner.dir, "output", `${N}-test-results.tap`), "utf8")).toBe("ok 1 - key login as linux\n1..1\n");
  });

  test("a failing suite fails the stage, and the server and its key pair are deleted all the same", async () => {
    suite(1);
    const r = await pipeline.stage(winner, "09-test-image.sh", { IPERF3_SERVER: "10.60.0.5" });
    expect(r.status).toBe(1);
    expect(JSON.parse(readFileSync(seen(), "utf8")).status).toBe("ACTIVE");
    expect(of(tenant(), testServer())).toEqual({ server: undefined, port: undefined, volume: undefined, keypair: false });
  });

  test("an image no compute host can run fails the stage with Nova's reason, and nothing is left", async () => {
    // Asking for qemu on a cloud whose hosts run another hypervisor (here Nova's fake one).
    const imageId = readFileSync(path.join(winner.local, "image-id"), "utf8").trim();
    expectStatus(await osc("image", "set", "--property", "hypervisor_type=qemu", imageId), 0, "image set");
    suite(0);
    const r = await pipeline.stage(winner, "09-test-image.sh", { IPERF3_SERVER: "10.60.0.5" });
    expectStatus(await osc("image", "unset", "--property", "hypervisor_type", imageId), 0, "image unset");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`test server ${testServer()} (${imageId}) did not become active: ERROR - No valid host was found.`);
    expect(of(tenant(), testServer())).toEqual({ server: undefined, port: undefined, volume: undefined, keypair: false });
  });
});

describe("stage 15: destroy build host", () => {
  test("destroys the build's host through its state: no server, port or volume left", async () => {
    const r = await pipeline.stage(winner, "15-destroy-build-host.sh");
    expectStatus(r, 0, "stage 15");
    expect(of(tenant(), hostName(winner.id))).toEqual({ server: undefined, port: undefined, volume: undefined, keypair: false });
  });

  test("keeps a kept host (KEEP_BUILD_HOST as the build recorded it), marked keep=true", async () => {
    const r = await pipeline.stage(kept, "15-destroy-build-host.sh");
    expectStatus(r, 0, "stage 15");
    expect(r.stderr).toContain(`KEEP_BUILD_HOST=true: keeping ${hostName(kept.id)}`);
    const { server, port, volume } = of(tenant(), hostName(kept.id));
    expect([server?.status, server?.metadata.keep, port?.device_id, volume?.status]).toEqual(["ACTIVE", "true", server?.id, "in-use"]);
  });
});

describe("the reaper", () => {
  // One `terraform init` at a time, as stage 2 inits under its lock (on the controller, a
  // shared provider cache: two inits at once failed with "mkdir …/plugin-cache/…: file exists").
  let initDone: Promise<unknown> = Promise.resolve();
  /** A build host as stage 2 leaves it: the committed template applied in the build's own directory. */
  async function host(id: string): Promise<void> {
    const dir = path.join(pipeline.localRoot, id, "terraform");
    mkdirSync(dir, { recursive: true });
    cpSync(path.join(pipeline.repo.dir, "jobs", "build-hosts", ENV_NAME, "dib", "cdk.tf.json"), path.join(dir, "cdk.tf.json"));
    const key = readFileSync(`${pipeline.agentKey}.pub`, "utf8").trim();
    const init = initDone.then(() => run(terraform, ["init", "-input=false", "-no-color"], pipeline.env(), { cwd: dir }));
    initDone = init.catch(() => undefined);
    const initRun = await init;
    if (initRun.status !== 0) throw new Error(`terraform init for ${id}:\n${tail(initRun)}`);
    const r = await run(
      terraform,
      [
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-var",
        `build_id=${id}`,
        "-var",
        `agent_public_key=${key}`,
        "-var",
        "keep=false",
      ],
      pipeline.env(),
      { cwd: dir },
    );
    if (r.status !== 0) throw new Error(`terraform apply for ${id}:\n${tail(r)}`);
  }
  const expire = (name: string) => osc("server", "set", "--property", "expires-at=2020-01-01T00:00:00Z", name);
  const names = (t: Tenant) => ({
    servers: t.servers.map((s) => s.name),
    ports: t.ports.map((p) => p.name),
    volumes: t.volumes.map((v) => v.name),
    keypairs: t.keypairs,
  });
  const reap = (more: Record<string, string> = {}, failOn?: string) => pipeline.script("reaper/reap.sh", [], more, failOn);
  let halfPort = "";
  let nodes = "";

  beforeAll(async () => {
    await Promise.all(["reap-expired", "reap-lost", "reap-young", "reap-half", "reap-half-state"].map(host));
    // Expired ones; one whose Terraform state is lost; two half-deleted (their server deleted
    // by hand), one of them without state; the kept host has expired too.
    for (const id of ["reap-expired", "reap-lost"]) expectStatus(await expire(hostName(id)), 0, "server set");
    expectStatus(await expire(hostName(kept.id)), 0, "server set");
    rmSync(path.join(pipeline.localRoot, "reap-lost"), { recursive: true });
    for (const id of ["reap-half", "reap-half-state"])
      expectStatus(await osc("server", "delete", "--wait", hostName(id)), 0, "server delete");
    rmSync(path.join(pipeline.localRoot, "reap-half"), { recursive: true });
    halfPort = of(tenant(), hostName("reap-half")).port!.id;
    // Another factory's expired build host in the same project, and an expired stage-9 test server.
    const common = ["--wait", "--image", "debian-12", "--flavor", "m1.small", "--network", `${ENV_NAME}-net`];
    expectStatus(
      await osc(
        "server",
        "create",
        ...common,
        "--property",
        "factory=pipeline-other",
        "--property",
        "role=build-host",
        "--property",
        "build-id=x",
        "--property",
        "expires-at=2020-01-01T00:00:00Z",
        "--property",
        "keep=false",
        `${ENV_NAME}-other-build-x`,
      ),
      0,
      "server create",
    );
    expectStatus(await osc("keypair", "create", "--public-key", `${pipeline.agentKey}.pub`, `${ENV_NAME}-test-t1`), 0, "keypair create");
    expectStatus(
      await osc(
        "server",
        "create",
        ...common,
        "--key-name",
        `${ENV_NAME}-test-t1`,
        "--property",
        `factory=${ENV_NAME}`,
        "--property",
        "role=image-test",
        "--property",
        "build-id=t1",
        "--property",
        "expires-at=2020-01-01T00:00:00Z",
        "--property",
        "keep=false",
        `${ENV_NAME}-test-t1`,
      ),
      0,
      "server create",
    );
    nodes = path.join(pipeline.root, "nodes.txt");
    writeFileSync(
      nodes,
      [hostName("reap-expired"), hostName(kept.id), hostName("reap-young"), hostName("gone-by-hand"), "static-agent", ""].join("\n"),
    );
  });

  const gone = (name: string) => ({ server: undefined, port: undefined, volume: undefined, keypair: false, name });
  const lookAt = (t: Tenant, name: string) => ({ ...of(t, name), name });

  test("deletes expired hosts and test servers with ports, volumes and key pairs; leaves kept, young and other factories' ones; a failure is named and fails the run", async () => {
    // The first run fails to delete the port of a half-deleted host (the cloud answers 503 once).
    const r = await reap({ NODES_FILE: nodes }, `port delete ${halfPort}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `WARNING: could not delete port ${hostName("reap-half")} (${halfPort}) of build reap-half: Injected failure`,
    );
    expect(r.stderr).toContain(`destroying ${hostName("reap-expired")} through its Terraform state`);
    expect(r.stderr).toContain(`deleted server ${hostName("reap-lost")}`);
    expect(r.stderr).toContain(`destroying what is left of ${hostName("reap-half-state")} through its Terraform state`);
    // The Jenkins nodes whose server is gone: reaped now, or destroyed by hand.
    expect(r.stdout.trim().split("\n")).toEqual([hostName("reap-expired"), hostName("gone-by-hand")]);
    const t = tenant();
    for (const name of ["reap-expired", "reap-lost", "reap-half-state"].map(hostName)) expect(lookAt(t, name)).toEqual(gone(name));
    expect(lookAt(t, `${ENV_NAME}-test-t1`)).toEqual(gone(`${ENV_NAME}-test-t1`));
    // Half-deleted without state: its volume went, its port is the failure.
    expect(of(t, hostName("reap-half"))).toMatchObject({ server: undefined, volume: undefined, port: { id: halfPort, device_owner: "" } });
    // Left alone: kept (expired), young, another factory's (expired).
    for (const name of [hostName(kept.id), hostName("reap-young")]) {
      const h = of(t, name);
      expect([name, h.server?.status, h.port?.device_id, h.volume?.status]).toEqual([name, "ACTIVE", h.server?.id, "in-use"]);
    }
    expect(t.servers.find((s) => s.name === `${ENV_NAME}-other-build-x`)?.status).toBe("ACTIVE");
  });

  test("the next run cleans up what the failed one left, and then there is nothing more to do", async () => {
    const r = await reap();
    expectStatus(r, 0, "reap.sh");
    expect(r.stderr).toContain(`deleted port ${hostName("reap-half")} (${halfPort}) of build reap-half`);
    const t = tenant();
    expect(lookAt(t, hostName("reap-half"))).toEqual(gone(hostName("reap-half")));
    const again = await reap();
    expectStatus(again, 0, "reap.sh again");
    expect(again.stderr).toContain("0 expired server(s)");
    expect(again.stderr).toContain("0 port(s) and volume(s) of build hosts whose server is gone");
    expect(pipeline.osc.calls().filter((c) => / delete /.test(c))).toEqual([]);
    // What is left: the kept and the young host, and the other factory's.
    const left = names(tenant());
    const ours = (l: string[]) =>
      l.filter((n) => n.startsWith(`${ENV_NAME}-build-`) || n.startsWith(`${ENV_NAME}-other-`) || n.startsWith(`${ENV_NAME}-test-`)).sort();
    expect({ servers: ours(left.servers), ports: ours(left.ports), volumes: ours(left.volumes), keypairs: ours(left.keypairs) }).toEqual({
      servers: [hostName(kept.id), `${ENV_NAME}-other-build-x`, hostName("reap-young")].sort(),
      ports: [hostName(kept.id), hostName("reap-young")].sort(),
      volumes: [`${hostName(kept.id)}-scratch`, `${hostName("reap-young")}-scratch`].sort(),
      keypairs: [],
    });
  });
});
