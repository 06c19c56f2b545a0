/**
 * DOC: the human-readable output of `petrel show status|peers|routes` (the `--json` output is the records as-is).
 *
 * Layout follows the summaries operators know: `show peers` is BIRD's `show protocols` / FRR's `show bgp summary`
 * (one line per peer: state, time in state, prefix counts, last error), `show routes` is FRR's `show bgp` (status
 * codes, network, next hop, MED, LOCAL_PREF, AS path with origin code). Pure functions of the records and `now`.
 */
import { formatDuration, formatTable } from './table';
import type { PeerInfo, RouteInfo, StatusInfo } from '../api/types';

const ORIGIN_CODES: Record<RouteInfo['origin'], string> = { igp: 'i', egp: 'e', incomplete: '?' };

function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** `show status`: one `Key: value` line per fact. */
export function formatStatus(s: StatusInfo, nowMs: number): string {
  const rows: [string, string][] = [
    ['Version', `petrel ${s.version}`],
    ['Node', s.nodeName],
    ['Router ID', s.routerId],
    ['Local AS', String(s.localAs)],
    ['Started', `${isoTime(s.startedAt)} (up ${formatDuration(nowMs / 1000 - s.startedAt)})`],
    ['Reconfigured', isoTime(s.reconfiguredAt)],
    ['Peers', `${s.peers} configured, ${s.peersEstablished} established`],
    ...s.families.map((f): [string, string] => [f.family, `${f.prefixes} prefixes, ${f.paths} paths`]),
    ['Attribute sets', String(s.attributeSets)],
    ...(s.updateGroups !== undefined ? [['Update groups', String(s.updateGroups)] as [string, string]] : []),
    ...(s.loopLag ? [['Loop lag', formatLag(s.loopLag)] as [string, string]] : []),
    ...(s.kernel ? kernelRows(s.kernel) : []),
  ];
  const w = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(w)} ${v}\n`).join('');
}

/** The kernel side: one line each for the FIB, the kernel/direct learner and the tunnels ("off" when not run). */
function kernelRows(k: NonNullable<StatusInfo['kernel']>): [string, string][] {
  const f = k.fib;
  const fib = f
    ? `${f.installed} installed, ${f.pending} pending, ${f.failed} failed, ${f.unresolved} unresolved, ` +
      (f.converged ? 'converged' : `converging (${f.adopted} adopted)`) +
      `; ${f.replaces} replaces, ${f.deletes} deletes, ${f.repairs} repairs, ${f.scans} scans, ${f.nexthopObjects} nexthop objects`
    : 'off';
  const l = k.learner;
  const learned = l ? `${l.kernelRoutes} kernel routes, ${l.directRoutes} direct routes` : 'off';
  const tn = k.tunnels;
  const tunnels = tn
    ? `ipip ${tn.ipip}, vxlan ${tn.vxlan} (${tn.reconciles} reconciles)${tn.lastErrors.length ? `; errors: ${tn.lastErrors.join(', ')}` : ''}`
    : 'off';
  return [['Kernel FIB', fib], ['Kernel learn', learned], ['Tunnels', tunnels]];
}

/** "p50 0.5 ms, p99 1.2 ms, max 40 ms since start; last 10 s: p50 ..., p99 ..., max ...". */
function formatLag(l: NonNullable<StatusInfo['loopLag']>): string {
  const f = (x: typeof l.sinceStart) => `p50 ${x.p50.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms, max ${x.max.toFixed(1)} ms`;
  return `${f(l.sinceStart)} since start; last ${l.intervalSeconds} s: ${f(l.lastInterval)}`;
}

function peerAddress(p: PeerInfo): string {
  if (p.port === 179 || p.port === 0) return p.address;
  return p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}

/** `show peers`: Name, Address, AS, State, Since (time in state), prefix counts, last error while not up. */
export function formatPeers(peers: readonly PeerInfo[], nowMs: number): string {
  const rows = peers.map((p) => [
    p.name,
    peerAddress(p),
    String(p.peerAs),
    p.state,
    formatDuration(nowMs / 1000 - p.since),
    String(p.prefixes.received),
    String(p.prefixes.accepted),
    String(p.prefixes.filtered),
    String(p.prefixes.advertised),
    p.state !== 'Established' && p.lastError ? `${p.lastError.kind}: ${p.lastError.message}` : '',
  ]);
  return formatTable(
    [
      { header: 'Name' }, { header: 'Address' }, { header: 'AS', align: 'right' }, { header: 'State' },
      { header: 'Since', align: 'right' }, { header: 'Rcvd', align: 'right' }, { header: 'Accepted', align: 'right' },
      { header: 'Filtered', align: 'right' }, { header: 'Adv', align: 'right' }, { header: 'Info' },
    ],
    rows,
  );
}

/** FRR-style status code: `*` valid, `>` best, `=` ECMP member, `F` filtered by import policy, `S` stale. */
export function routeStatusCode(r: RouteInfo): string {
  const valid = !r.filtered && !r.unresolved;
  return `${valid ? '*' : ' '}${r.best ? '>' : r.ecmp ? '=' : ' '}${r.filtered ? 'F' : ''}${r.stale ? 'S' : ''}`.trimEnd();
}

export const ROUTE_LEGEND =
  'Status codes: * valid, > best, = multipath, F filtered, S stale. Origin codes: i IGP, e EGP, ? incomplete.\n';

/** `show routes`: a legend, then one line per path. */
export function formatRoutes(routes: readonly RouteInfo[]): string {
  const rows = routes.map((r) => [
    routeStatusCode(r),
    r.prefix,
    r.nextHops.length ? r.nextHops.join(',') : '-',
    r.med === null ? '' : String(r.med),
    r.localPref === null ? '' : String(r.localPref),
    `${r.asPath ? `${r.asPath} ` : ''}${ORIGIN_CODES[r.origin]}`,
    r.peer ? `${r.source} -> ${r.peer}` : r.source,
  ]);
  return ROUTE_LEGEND + formatTable(
    [
      { header: '' }, { header: 'Network' }, { header: 'Next Hop' }, { header: 'MED', align: 'right' },
      { header: 'LocPrf', align: 'right' }, { header: 'Path' }, { header: 'Source' },
    ],
    rows,
  );
}
