// With `network.egress: jump` the servers behind the jump hosts reach package mirrors only
// once a jump host holds the egress VIP, and the jump hosts boot alongside them. The VIP
// appears only after the masquerade is in place (egress-gateway.sh), and the jump host
// holding it answers on port 22: wait for that before cloud-init installs packages.
import type { AddressPlan } from "../config/address-plan";
import type { CloudConfig, Command } from "./cloud-config";

const WAIT_SECONDS = 1800;

function waitForEgress(plan: AddressPlan): Command | undefined {
  if (!plan.egressVip) return undefined;
  // first boot only: later boots must not hang while the jump hosts are away
  return [
    "cloud-init-per",
    "instance",
    "wait-for-egress",
    "bash",
    "-c",
    `i=0; until (exec 3<>"/dev/tcp/$1/22") 2>/dev/null; do i=$((i+5)); if [ "$i" -gt ${WAIT_SECONDS} ]; then echo "egress gateway $1 unreachable after ${WAIT_SECONDS} s: are the jump hosts up?" >&2; exit 1; fi; sleep 5; done`,
    "wait-for-egress",
    plan.egressVip,
  ];
}

/** Adds the wait (bootcmd: before the package module runs) when the jump hosts are the egress. */
export function addEgressWait(config: CloudConfig, plan: AddressPlan): void {
  const wait = waitForEgress(plan);
  if (wait) config.bootcmd.push(wait);
}
