// <env>-network: network, subnet with the address plan, router, security groups.
import { NetworkingNetworkV2 } from "../.gen/providers/openstack/networking-network-v2";
import { NetworkingPortV2 } from "../.gen/providers/openstack/networking-port-v2";
import { NetworkingRouterInterfaceV2 } from "../.gen/providers/openstack/networking-router-interface-v2";
import { NetworkingRouterV2 } from "../.gen/providers/openstack/networking-router-v2";
import { NetworkingSecgroupV2 } from "../.gen/providers/openstack/networking-secgroup-v2";
import { NetworkingSubnetV2 } from "../.gen/providers/openstack/networking-subnet-v2";
import { DataOpenstackNetworkingNetworkV2 } from "../.gen/providers/openstack/data-openstack-networking-network-v2";
import { environment, resourcesOf, synthEnvironment } from "./helpers";

describe("example (egress: router)", () => {
  const synth = synthEnvironment(environment()).get("example-network")!;

  test("declares the network and subnet with the fixed address plan", () => {
    expect(synth).toHaveResourceWithProperties(NetworkingNetworkV2, { name: "example-net" });
    expect(synth).toHaveResourceWithProperties(NetworkingSubnetV2, {
      name: "example-subnet",
      cidr: "10.20.0.0/24",
      ip_version: 4,
      gateway_ip: "10.20.0.1",
      enable_dhcp: true,
      dns_nameservers: ["9.9.9.9"],
      allocation_pool: [{ start: "10.20.0.32", end: "10.20.0.254" }],
    });
  });

  test("routes through a router on the external network, joined at the gateway address", () => {
    expect(synth).toHaveDataSourceWithProperties(DataOpenstackNetworkingNetworkV2, { name: "public", external: true });
    expect(synth).toHaveResourceWithProperties(NetworkingRouterV2, {
      name: "example-router",
      external_network_id: expect.stringMatching(/^\$\{data\.openstack_networking_network_v2\./),
    });
    // SNAT is Neutron's default: enable_snat is left out (setting it is admin-only by default policy).
    const [router] = Object.values(resourcesOf(synth, "openstack_networking_router_v2"));
    expect(router).not.toHaveProperty("enable_snat");
    expect(synth).toHaveResourceWithProperties(NetworkingRouterInterfaceV2, {
      subnet_id: expect.stringMatching(/openstack_networking_subnet_v2\..*\.id/),
    });
    expect(synth).not.toHaveResource(NetworkingPortV2);
  });

  test("has one security group per role, named <env>-<role>", () => {
    const names = Object.values(resourcesOf(synth, "openstack_networking_secgroup_v2"))
      .map((g: any) => g.name)
      .sort();
    expect(names).toEqual(["example-build-host", "example-jenkins", "example-jump", "example-nfs"]);
    expect(synth).toHaveResourceWithProperties(NetworkingSecgroupV2, { name: "example-jump" });
  });

  test("configures the OpenStack provider by clouds.yaml entry, with no credentials", () => {
    const json = JSON.parse(synth);
    expect(json.provider.openstack).toEqual([{ cloud: "factory", region: "RegionOne" }]);
    expect(json.terraform.required_providers.openstack).toEqual({ source: "terraform-provider-openstack/openstack", version: "3.4.0" });
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.example-network.tfstate" } });
  });
});

describe("egress: jump", () => {
  const synth = synthEnvironment(environment((d) => (d.network.egress = "jump"))).get("example-network")!;

  test("DHCP hands out the jump hosts' VIP as gateway; the router joins on its own port, SNAT left as a tenant may", () => {
    expect(synth).toHaveResourceWithProperties(NetworkingSubnetV2, { gateway_ip: "10.20.0.4" });
    // Setting enable_snat at all is admin-only in Neutron's default policy (refused on the local cloud).
    expect(Object.values<any>(JSON.parse(synth).resource.openstack_networking_router_v2)[0]).not.toHaveProperty("enable_snat");
    expect(synth).toHaveResourceWithProperties(NetworkingPortV2, { fixed_ip: [expect.objectContaining({ ip_address: "10.20.0.1" })] });
    expect(synth).toHaveResourceWithProperties(NetworkingRouterInterfaceV2, {
      port_id: expect.stringMatching(/openstack_networking_port_v2\..*\.id/),
    });
  });

  test("routerSnat: false turns the router's SNAT off: the jump hosts are the only way out", () => {
    const off = synthEnvironment(environment((d) => ((d.network.egress = "jump"), (d.network.routerSnat = false)))).get("example-network")!;
    expect(off).toHaveResourceWithProperties(NetworkingRouterV2, { enable_snat: false });
  });
});

describe("backends", () => {
  test("s3: one key per stack under the prefix, S3-compatible endpoint", () => {
    const env = environment((d) => (d.backend = { type: "s3", bucket: "state", region: "RegionOne", endpoint: "https://s3.example.com" }));
    const json = JSON.parse(synthEnvironment(env).get("example-network")!);
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: "state",
      key: "image-factory/example-network.tfstate",
      endpoints: { s3: "https://s3.example.com" },
      use_path_style: true,
      skip_credentials_validation: true,
    });
  });

  test("http: one address per stack, with locking", () => {
    const env = environment((d) => (d.backend = { type: "http", address: "https://state.example.com/factory/" }));
    const json = JSON.parse(synthEnvironment(env).get("example-network")!);
    expect(json.terraform.backend.http).toMatchObject({
      address: "https://state.example.com/factory/example-network",
      lock_address: "https://state.example.com/factory/example-network",
    });
  });

  test("local: state directory relative to the synth output's parent", () => {
    const env = environment((d) => (d.backend = { type: "local", dir: "state" }));
    const json = JSON.parse(synthEnvironment(env).get("example-network")!);
    expect(json.terraform.backend.local.path).toBe("../../../state/terraform.example-network.tfstate");
  });
});
