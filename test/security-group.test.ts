// SecurityGroup.allowFrom as a user of the construct meets it: the same traffic admitted
// twice is one Neutron rule (Neutron refuses the second with 409 SecurityGroupRuleExists),
// and a peer that is not a CIDR is an error at synth time, not a rule Neutron refuses.
import { App, TerraformStack, Testing } from "cdktf";
import { Cidr } from "../config/cidr";
import { Peer } from "../constructs/peer";
import { Port } from "../constructs/port";
import { SecurityGroup } from "../constructs/security-group";

function rulesOf(build: (stack: TerraformStack) => void): any[] {
  const app = Testing.app();
  const stack = new TerraformStack(app as App, "test");
  build(stack);
  const json = JSON.parse(Testing.synth(stack));
  return Object.values(json.resource?.openstack_networking_secgroup_rule_v2 ?? {});
}

test("the same port from the same peer twice, or under another label, is one rule", () => {
  const rules = rulesOf((stack) => {
    const jump = new SecurityGroup(stack, "jump", { name: "t-jump", role: "jump" });
    const admins = Peer.cidrs("admin", ["203.0.113.0/24"]);
    jump.allowFrom(admins, Port.ssh()).allowFrom(admins, Port.ssh(), Port.tcp(22));
  });
  expect(rules.map((r) => [r.remote_ip_prefix, r.protocol, r.port_range_min, r.description])).toEqual([["203.0.113.0/24", "tcp", 22, "ssh from admin"]]);
});

test("the same port from a group twice is one rule; from two groups, two", () => {
  const rules = rulesOf((stack) => {
    const nfs = new SecurityGroup(stack, "nfs", { name: "t-nfs", role: "nfs" });
    const jenkins = new SecurityGroup(stack, "jenkins", { name: "t-jenkins", role: "jenkins" });
    const builders = new SecurityGroup(stack, "builders", { name: "t-builders", role: "build-host" });
    nfs.allowFrom(jenkins, Port.nfs()).allowFrom(builders, Port.nfs()).allowFrom(jenkins, Port.nfs());
  });
  expect(rules.map((r) => r.description).sort()).toEqual(["nfs from build-host", "nfs from jenkins"]);
});

test("two different rules that would get one id are refused with the group and both labels' way out", () => {
  expect(() =>
    rulesOf((stack) => {
      const web = new SecurityGroup(stack, "web", { name: "t-web", role: "web" });
      web.allowFrom(Peer.cidrs("office", ["198.51.100.0/24"]), Port.ssh()).allowFrom(Peer.cidrs("office", ["192.0.2.0/24"]), Port.ssh());
    }),
  ).toThrow(/security group test\/web: rule id "from-office-ssh" names two different rules \(ssh from office\)/);
});

test("ethertypes: IPv6 CIDRs get IPv6 rules, tokens (floating IPs) IPv4", () => {
  expect(Peer.world().prefixes).toEqual([
    { cidr: "0.0.0.0/0", ethertype: "IPv4" },
    { cidr: "::/0", ethertype: "IPv6" },
  ]);
  const rules = rulesOf((stack) => {
    const jenkins = new SecurityGroup(stack, "jenkins", { name: "t-jenkins", role: "jenkins" });
    const token = new SecurityGroup(stack, "other", { name: "t-other" }).id;
    jenkins.allowFrom(Peer.cidrs("jump", [`${token}/32`]), Port.jenkinsHttp());
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
      web.allowFrom(Peer.cidrs("office", ["198.51.100.0/24"]), Port.ssh(), Port.http(), Port.https());
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
