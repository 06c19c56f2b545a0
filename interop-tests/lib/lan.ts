/**
 * DOC: one shared L2 segment for an interop scenario: a "switch" namespace holding bridge `br0` and, per member,
 * a namespace whose `eth0` is a veth into that bridge, with the member's addresses (IPv4 and/or IPv6, `nodad`).
 *
 * Owns the namespaces it creates (names `<prefix><i>-<pid>-<n>`, see netns.ts); each is registered with the tap
 * test's teardown and with the exit guard, so a failing test still removes them. Namespaces are created in
 * parallel to keep scenarios lean. Nothing is added to the root namespace.
 */
import { InteropError } from './errors.js';
import { addAddress, createNetns, linkUp, vethPair, type Netns, type Teardownable } from './netns.js';

/** One host on the segment. */
export interface LanMember {
  /** Key in {@link Lan.hosts}; letters and digits. */
  name: string;
  /** CIDRs for `eth0`, e.g. `10.98.0.2/24`, `fd00:98::2/64`. */
  addresses: string[];
}

/** The segment: the switch namespace and one namespace per member, by member name. */
export interface Lan {
  readonly bridge: Netns;
  readonly hosts: Readonly<Record<string, Netns>>;
}

/** Builds the segment; `prefix` (a few letters) starts every namespace name. */
export async function buildLan(t: Teardownable, prefix: string, members: readonly LanMember[]): Promise<Lan> {
  const bridge = await createNetns(t, `${prefix}sw`);
  await bridge.exec('ip', ['link', 'add', 'name', 'br0', 'type', 'bridge']);
  await linkUp(bridge, 'br0');
  const made = await Promise.all(
    members.map(async (m, i) => {
      const ns = await createNetns(t, `${prefix}${i}`);
      const port = `p${i}`;
      await vethPair(bridge, port, ns, 'eth0');
      await bridge.exec('ip', ['link', 'set', 'dev', port, 'master', 'br0']);
      for (const a of m.addresses) await addAddress(ns, 'eth0', a);
      return [m.name, ns] as const;
    }),
  );
  return { bridge, hosts: Object.fromEntries(made) };
}

/** The IPv6 link-local address of `ifname` in `ns` (for asserting next hops that carry one). */
export async function linkLocalOf(ns: Netns, ifname: string): Promise<string> {
  const { stdout } = await ns.exec('ip', ['-6', '-o', 'addr', 'show', 'dev', ifname, 'scope', 'link']);
  const m = /inet6\s+(fe80:[0-9a-f:]+)\//.exec(stdout);
  if (!m) throw new InteropError(`no link-local address on ${ifname} in ${ns.name}: ${stdout.trim()}`);
  return m[1];
}
