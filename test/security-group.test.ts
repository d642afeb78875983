// SecurityGroup.allowFrom as a user of the construct meets it: the same traffic admitted
// twice is one Neutron rule (Neutron refuses the second with 409 SecurityGroupRuleExists),
// a peer that is not a CIDR is an error at synth time, not a rule Neutron refuses, and a
// rule's address is made of what it admits (a new label moves no rule).
import { App, TerraformStack, Testing } from "cdktf";
import { Cidr } from "../config/cidr";
import { Peer } from "../constructs/peer";
import { Traffic } from "../constructs/traffic";
import { SecurityGroup } from "../constructs/security-group";

/** CIDRs as the environment's schema gives them. */
const parsed = (...texts: string[]) => texts.map((text) => Cidr.parse(text) as Cidr);

function synth(build: (stack: TerraformStack) => void): any {
  const app = Testing.app();
  const stack = new TerraformStack(app as App, "test");
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

function rulesOf(build: (stack: TerraformStack) => void): any[] {
  return Object.values(synth(build).resource?.openstack_networking_secgroup_rule_v2 ?? {});
}

/** Each rule's construct id (its address without the group's id and cdktf's hash) → its description. */
function idsOf(build: (stack: TerraformStack) => void): Record<string, string> {
  const rules = synth(build).resource.openstack_networking_secgroup_rule_v2;
  return Object.fromEntries(
    Object.entries(rules).map(([address, r]: [string, any]) => [
      address.replace(/^[^_]+_/, "").replace(/_[0-9A-F]{8}$/, ""),
      r.description,
    ]),
  );
}

test("the same port from the same peer twice, or under another label, is one rule", () => {
  const rules = rulesOf((stack) => {
    const jump = new SecurityGroup(stack, "jump", { name: "t-jump", role: "jump" });
    const admins = Peer.cidrs("admin", ["203.0.113.0/24"]);
    jump.allowFrom(admins, Traffic.ssh()).allowFrom(admins, Traffic.ssh(), Traffic.tcp(22));
  });
  expect(rules.map((r) => [r.remote_ip_prefix, r.protocol, r.port_range_min, r.description])).toEqual([
    ["203.0.113.0/24", "tcp", 22, "ssh from admin"],
  ]);
});

test("the same port from a group twice is one rule; from two groups, two", () => {
  const rules = rulesOf((stack) => {
    const nfs = new SecurityGroup(stack, "nfs", { name: "t-nfs", role: "nfs" });
    const jenkins = new SecurityGroup(stack, "jenkins", { name: "t-jenkins", role: "jenkins" });
    const builders = new SecurityGroup(stack, "builders", { name: "t-builders", role: "build-host" });
    nfs.allowFrom(jenkins, Traffic.nfs()).allowFrom(builders, Traffic.nfs()).allowFrom(jenkins, Traffic.nfs());
  });
  expect(rules.map((r) => r.description).sort()).toEqual(["nfs from build-host", "nfs from jenkins"]);
});

test("two different rules that would get one id are refused with the group and the way out", () => {
  expect(() =>
    rulesOf((stack) => {
      const web = new SecurityGroup(stack, "web", { name: "t-web", role: "web" });
      web
        .allowFrom(Peer.cidrs("office", ["198.51.100.0/24"]), Traffic.ssh())
        .allowFrom(Peer.cidrs("office", ["192.0.2.0/24"]), Traffic.ssh());
    }),
  ).toThrow(
    /security group test\/web: rule id "from-office-tcp-22" names two different rules \(ssh from office\); give one of the sources/,
  );
});

test("rule ids name the source and what is admitted: protocol and port range, not the label", () => {
  const ids = idsOf((stack) => {
    const jump = new SecurityGroup(stack, "jump", { name: "t-jump", role: "jump" });
    const web = new SecurityGroup(stack, "web", { name: "t-web", role: "web" });
    jump.allowFrom(Peer.cidrList("admin", parsed("203.0.113.0/24", "198.51.100.7/32")), Traffic.ssh());
    jump.allowFrom(Peer.cidrs("jump", ["10.0.0.32/32"]), Traffic.vrrp());
    jump.allowFrom(Peer.cidrs("subnet", ["10.0.0.0/24"]), Traffic.all());
    web.allowFrom(Peer.world(), Traffic.http());
    web.allowFrom(jump, Traffic.tcp(6000, "x11"));
  });
  expect(ids).toEqual({
    "from-admin-203-0-113-0-24-tcp-22": "ssh from admin 203.0.113.0/24",
    "from-admin-198-51-100-7-32-tcp-22": "ssh from admin 198.51.100.7/32",
    "from-jump-vrrp": "vrrp from jump",
    "from-subnet-any": "all from subnet",
    "from-world-0-tcp-80": "http from world-0",
    "from-world-1-tcp-80": "http from world-1",
    "from-jump-tcp-6000": "x11 from jump",
  });
});

test("renaming a traffic's label changes the rule's description (part of the deployed rule), not its address", () => {
  const addresses = (label: string) =>
    synth((stack) => {
      const nfs = new SecurityGroup(stack, "nfs", { name: "t-nfs", role: "nfs" });
      nfs.allowFrom(new SecurityGroup(stack, "jenkins", { name: "t-jenkins", role: "jenkins" }), Traffic.tcp(2049, label));
      nfs.allowFrom(Peer.cidrList("admin", parsed("203.0.113.0/24")), Traffic.tcp(2049, label));
    }).resource.openstack_networking_secgroup_rule_v2;
  const [before, after] = [addresses("nfs"), addresses("nfs-v4")];
  expect(Object.keys(after)).toEqual(Object.keys(before));
  expect(
    Object.values(after)
      .map((r: any) => r.description)
      .sort(),
  ).toEqual(["nfs-v4 from admin 203.0.113.0/24", "nfs-v4 from jenkins"]);
});

test("rules deployed under their old, label-made addresses are moved to the new ones, not replaced", () => {
  const json = synth((stack) => {
    const jump = new SecurityGroup(stack, "jump", { name: "t-jump", role: "jump" });
    const jenkins = new SecurityGroup(stack, "jenkins", { name: "t-jenkins", role: "jenkins" });
    jenkins.allowFrom(jump, Traffic.ssh(), Traffic.jenkinsHttp(), Traffic.tcp(6000, "x11"));
    jump.allowFrom(Peer.cidrs("jump", ["10.0.0.32/32"]), Traffic.vrrp());
  });
  const address = (id: string) => {
    const found = Object.keys(json.resource.openstack_networking_secgroup_rule_v2).find((a) => a.startsWith(`${id}_`));
    return found && `openstack_networking_secgroup_rule_v2.${found}`;
  };
  // The old addresses as cdktf allocated them before (construct ids from-jump-ssh, from-jump-jenkins-http).
  expect(json.moved).toEqual([
    { from: "openstack_networking_secgroup_rule_v2.jenkins_from-jump-ssh_6A3B9808", to: address("jenkins_from-jump-tcp-22") },
    { from: "openstack_networking_secgroup_rule_v2.jenkins_from-jump-jenkins-http_AC5AC3AF", to: address("jenkins_from-jump-tcp-8080") },
  ]); // none for tcp/6000 (it never had a label-made id) nor VRRP (from-jump-vrrp either way)
});

test("ethertypes: IPv6 CIDRs get IPv6 rules, tokens (floating IPs) IPv4", () => {
  expect(Peer.world().prefixes).toEqual([
    { cidr: "0.0.0.0/0", ethertype: "IPv4" },
    { cidr: "::/0", ethertype: "IPv6" },
  ]);
  const rules = rulesOf((stack) => {
    const jenkins = new SecurityGroup(stack, "jenkins", { name: "t-jenkins", role: "jenkins" });
    const token = new SecurityGroup(stack, "other", { name: "t-other" }).id;
    jenkins.allowFrom(Peer.cidrs("jump", [`${token}/32`]), Traffic.jenkinsHttp());
  });
  expect(rules.map((r) => r.ethertype)).toEqual(["IPv4"]);
});

test.each([
  ["a prefix too long", "10.0.0.1/33", /peer "admin": prefix length "\/33" must be between 0 and 32/],
  ["no prefix", "10.0.0.1", /peer "admin": "10.0.0.1" is not a CIDR/],
  ["no address", "jump-0/32", /peer "admin": "jump-0" is not an IPv4 or IPv6 address/],
])("a peer CIDR with %s is an error naming the peer, not an IPv4 rule", (_, cidr, message) => {
  expect(() => Peer.cidrs("admin", [cidr]).prefixes).toThrow(message);
});

test("a peer parses a CIDR string once, when it is made, however many rules it makes", () => {
  const parse = jest.spyOn(Cidr, "parse");
  try {
    const rules = rulesOf((stack) => {
      const web = new SecurityGroup(stack, "web", { name: "t-web", role: "web" });
      web.allowFrom(Peer.cidrs("office", ["198.51.100.0/24"]), Traffic.ssh(), Traffic.http(), Traffic.https());
    });
    expect(rules.map((r) => r.remote_ip_prefix)).toEqual(["198.51.100.0/24", "198.51.100.0/24", "198.51.100.0/24"]);
    expect(parse.mock.calls).toEqual([["198.51.100.0/24"]]);
  } finally {
    parse.mockRestore();
  }
});

test("a peer takes parsed CIDRs (the environment's) as they are: their text and version", () => {
  const parsed = ["203.0.113.0/24", "2001:db8::/32"].map((text) => Cidr.parse(text) as Cidr);
  const parse = jest.spyOn(Cidr, "parse");
  try {
    expect(Peer.cidrList("admin", parsed).prefixes).toEqual([
      { cidr: "203.0.113.0/24", ethertype: "IPv4" },
      { cidr: "2001:db8::/32", ethertype: "IPv6" },
    ]);
    expect(Peer.cidrs("subnet", [parsed[0]]).prefixes).toEqual([{ cidr: "203.0.113.0/24", ethertype: "IPv4" }]);
    expect(parse).not.toHaveBeenCalled();
  } finally {
    parse.mockRestore();
  }
});
