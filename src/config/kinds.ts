/**
 * DOC: per-kind schemas and builders: one YAML document (a syntax-tree map) → one typed Resource.
 *
 * Owns the field lists of each supported kind (Calico v3 BGPConfiguration, BGPPeer, Node, IPPool, BlockAffinity,
 * BGPFilter; Petrel's PetrelConfiguration; `List`/`*List` wrappers as printed by kubectl/calicoctl) and the
 * cross-field rules Calico's validator enforces (calico-contract.md §8). Fields Calico defines but BGP does not
 * use are accepted silently (`any`); fields nobody defines are "unsupported field" warnings; known-but-unsupported
 * features (localWorkloadSelector) are warnings too. Invariant: a builder returns a Resource only if it reported
 * no error for that document.
 */
import { isMap, isScalar, isSeq, type ParsedNode } from 'yaml';
import {
  CALICO_API_VERSION, PETREL_API_VERSION,
  type BgpConfiguration, type BgpFilter, type BgpFilterRule, type BgpPeer, type BlockAffinity, type CalicoNode,
  type IpPool, type NodeAddress, type PetrelConfiguration, type Resource, type ResourceMeta, type SecretKeyRef,
} from './resources';
import { canonicalCidr, canonicalIp, type SchemaContext, type Spec } from './schema';
import type { Labels } from './selector';
import { readSecret, type KubeSecret } from './secrets';

const ENCAP = { enum: ['Never', 'Always', 'CrossSubnet'] } as const;
const SECRET: Spec = { obj: { secretKeyRef: { obj: { name: 'string', key: 'string' }, required: ['name', 'key'] } } };
const CIDR_LIST: Spec = { arr: { obj: { cidr: 'cidr' }, required: ['cidr'] } };
const PORT: Spec = { int: [1, 65535] };
const SECONDS: Spec = { int: [0, 65535] };
const MAX_PRIORITY = 2147483646;

const METADATA: Spec = {
  obj: {
    name: 'string', labels: 'labels', annotations: 'labels', namespace: 'string', uid: 'any', resourceVersion: 'any',
    creationTimestamp: 'any', generation: 'any', managedFields: 'any', finalizers: 'any', ownerReferences: 'any',
  },
  required: ['name'],
};

const BGP_CONFIGURATION: Spec = {
  obj: {
    logSeverityScreen: { enum: ['Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal', 'Panic'] },
    nodeToNodeMeshEnabled: 'bool', asNumber: 'asn',
    serviceClusterIPs: CIDR_LIST, serviceExternalIPs: CIDR_LIST, serviceLoadBalancerIPs: CIDR_LIST,
    serviceLoadBalancerAggregation: { enum: ['Enabled', 'Disabled'] },
    communities: { arr: { obj: { name: 'string', value: 'community' }, required: ['name', 'value'] } },
    prefixAdvertisements: { arr: { obj: { cidr: 'cidr', communities: { arr: 'string' } }, required: ['cidr'] } },
    listenPort: PORT, nodeMeshPassword: SECRET, nodeMeshMaxRestartTime: 'duration',
    bindMode: { enum: ['None', 'NodeIP'] }, ignoredInterfaces: { arr: 'string' },
    localWorkloadPeeringIPV4: 'ip', localWorkloadPeeringIPV6: 'ip',
    programClusterRoutes: { enum: ['Enabled', 'Disabled', 'EnabledIPIPOnly', 'EnabledNoEncapOnly'] },
    ipv4NormalRoutePriority: { int: [1, MAX_PRIORITY] }, ipv6NormalRoutePriority: { int: [1, MAX_PRIORITY] },
  },
};
/** confd honours only these in a `node.<name>` BGPConfiguration (contract §8.1). */
const PER_NODE_FIELDS = new Set(['listenPort', 'logSeverityScreen', 'prefixAdvertisements', 'communities']);

const BGP_PEER: Spec = {
  obj: {
    node: 'string', nodeSelector: 'selector', peerIP: 'string', asNumber: 'asn', localASNumber: 'asn',
    localAS: { obj: { asNumber: 'asn' } }, peerSelector: 'selector', keepOriginalNextHop: 'bool',
    nextHopMode: { enum: ['Auto', 'Self', 'Keep'] }, password: SECRET,
    sourceAddress: { enum: ['UseNodeIP', 'None'] }, maxRestartTime: 'duration', keepaliveTime: 'duration',
    numAllowedLocalASNumbers: { int: [0, 10] }, ttlSecurity: { int: [0, 255] }, reachableBy: 'ip',
    filters: { arr: 'string' }, localWorkloadSelector: 'any', reversePeering: { enum: ['Auto', 'Manual'] },
  },
};

const NODE: Spec = {
  obj: {
    bgp: {
      obj: {
        ipv4Address: 'string', ipv6Address: 'string', asNumber: 'asn', routeReflectorClusterID: 'ipv4',
        ipv4IPIPTunnelAddr: 'ip',
      },
    },
    addresses: 'any', orchRefs: 'any', ipv4VXLANTunnelAddr: 'ipv4', ipv6VXLANTunnelAddr: 'any',
    vxlanTunnelMACAddr: 'string', vxlanTunnelMACAddrV6: 'any', wireguard: 'any', interfaceName: 'any',
  },
};

const IP_POOL: Spec = {
  obj: {
    cidr: 'cidr', ipipMode: ENCAP, vxlanMode: ENCAP, natOutgoing: 'bool', disableBGPExport: 'bool', disabled: 'bool',
    blockSize: { int: [0, 128] }, nodeSelector: 'selector', allowedUses: 'any', assignmentMode: 'any',
    namespaceSelector: 'any', ipip: 'any', 'nat-outgoing': 'any',
  },
  required: ['cidr'],
};

const BLOCK_AFFINITY: Spec = {
  obj: { node: 'string', cidr: 'cidr', state: { enum: ['confirmed', 'pending', 'pendingDeletion', ''] }, deleted: 'any', type: 'any' },
  required: ['node', 'cidr'],
};

const FILTER_RULE: Spec = {
  obj: {
    action: { enum: ['Accept', 'Reject'] }, cidr: 'cidr', matchOperator: { enum: ['Equal', 'NotEqual', 'In', 'NotIn'] },
    prefixLength: { obj: { min: { int: [0, 128] }, max: { int: [0, 128] } } }, source: { enum: ['RemotePeers'] },
    interface: 'string', peerType: { enum: ['eBGP', 'iBGP'] },
    communities: { obj: { values: { arr: 'community', max: 1 } } }, asPathPrefix: { arr: 'asn' },
    priority: { int: [1, MAX_PRIORITY] },
    operations: {
      arr: {
        obj: {
          addCommunity: { obj: { value: 'community' }, required: ['value'] },
          prependASPath: { obj: { prefix: { arr: 'asn' } }, required: ['prefix'] },
          setPriority: { obj: { value: { int: [1, MAX_PRIORITY] } }, required: ['value'] },
        },
      },
      max: 10,
    },
  },
  required: ['action'],
};
const BGP_FILTER: Spec = {
  obj: { exportV4: { arr: FILTER_RULE }, importV4: { arr: FILTER_RULE }, exportV6: { arr: FILTER_RULE }, importV6: { arr: FILTER_RULE } },
};

const PETREL: Spec = {
  obj: {
    nodeName: 'string', listenAddress: 'ip', listenPort: PORT, routerId: 'ipv4', controlSocket: 'string',
    controlSocketV6: 'string', apiListen: 'string',
    logLevel: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
    fib: { obj: { enabled: 'bool', table: { int: [1, 0xfffffffe] }, protocol: { int: [1, 255] }, mergePaths: 'bool', scanTime: { int: [1, 3600] }, learn: 'bool', nexthopObjects: 'bool' } },
    timers: {
      obj: {
        holdTime: SECONDS, keepaliveTime: SECONDS, connectDelayTime: SECONDS, connectRetryTime: SECONDS,
        errorWaitMin: SECONDS, errorWaitMax: SECONDS,
      },
    },
    gracefulRestart: { obj: { enabled: 'bool', restartTime: { int: [0, 4095] }, waitTime: SECONDS } },
    tunnels: {
      obj: {
        ipip: { enum: ['auto', 'off'] }, vxlan: { enum: ['auto', 'off'] }, ipipMtu: { int: [68, 65535] },
        vxlanMtu: { int: [68, 65535] }, vxlanVni: { int: [0, 16777215] }, vxlanPort: PORT,
      },
    },
  },
};

const KIND_SPECS: Record<string, { api: string; spec: Spec }> = {
  BGPConfiguration: { api: CALICO_API_VERSION, spec: BGP_CONFIGURATION },
  BGPPeer: { api: CALICO_API_VERSION, spec: BGP_PEER },
  Node: { api: CALICO_API_VERSION, spec: NODE },
  IPPool: { api: CALICO_API_VERSION, spec: IP_POOL },
  BlockAffinity: { api: CALICO_API_VERSION, spec: BLOCK_AFFINITY },
  BGPFilter: { api: CALICO_API_VERSION, spec: BGP_FILTER },
  PetrelConfiguration: { api: PETREL_API_VERSION, spec: PETREL },
};

type Obj = Record<string, unknown>;

/** Reads one YAML document (or a List of them) into resources (and `kind: Secret` into `secrets`), reporting into `ctx`. */
export function readDocument(ctx: SchemaContext, node: ParsedNode, out: Resource[], secrets?: KubeSecret[]): void {
  if (!isMap(node)) { ctx.error(node, '', 'a resource must be a YAML map'); return; }
  const scalar = (k: string): string | undefined => {
    const v = node.get(k, true);
    return isScalar(v) && typeof v.value === 'string' ? v.value : undefined;
  };
  const kind = scalar('kind');
  const apiVersion = scalar('apiVersion');
  if (kind === undefined) { ctx.error(node, 'kind', 'is required'); return; }
  if (kind === 'List' || (kind.endsWith('List') && node.has('items'))) {
    const items = node.get('items', true);
    if (items === undefined || (isScalar(items) && items.value === null)) return;
    if (!isSeq(items)) { ctx.error(items as ParsedNode, `${kind}.items`, 'must be a list'); return; }
    for (const item of items.items) readDocument(ctx, item as ParsedNode, out, secrets);
    return;
  }
  if (kind === 'Secret' && secrets) { readSecret(ctx, node, secrets); return; }
  const meta = node.get('metadata', true);
  const nameNode = isMap(meta) ? meta.get('name', true) : undefined;
  const name = isScalar(nameNode) ? String(nameNode.value) : '?';
  const where = `${kind}[${name}]`;
  const ks = KIND_SPECS[kind];
  if (!ks) { ctx.warn(node.get('kind', true) as ParsedNode, `${where}.kind`, `unsupported kind ${kind}`); return; }
  if (apiVersion !== ks.api) {
    ctx.error(node.get('apiVersion', true) as ParsedNode ?? node, `${where}.apiVersion`, `must be ${ks.api} for kind ${kind}`);
    return;
  }
  const before = ctx.errors.length;
  const docSpec: Spec = { obj: { apiVersion: 'string', kind: 'string', metadata: METADATA, spec: ks.spec, status: 'any' }, required: ['metadata'] };
  const v = ctx.check(node, docSpec, where) as Obj | undefined;
  if (v === undefined || ctx.errors.length > before) return;
  const md = v.metadata as Obj;
  const base: ResourceMeta = { name: md.name as string, labels: (md.labels ?? {}) as Labels, loc: ctx.loc(node, where) };
  const spec = (v.spec ?? {}) as Obj;
  const r = BUILDERS[kind](ctx, base, spec, `${where}.spec`);
  if (r !== undefined && ctx.errors.length === before) out.push(r);
}

type Builder = (ctx: SchemaContext, base: ResourceMeta, spec: Obj, f: string) => Resource | undefined;

const BUILDERS: Record<string, Builder> = {
  BGPConfiguration: buildBgpConfiguration,
  BGPPeer: buildBgpPeer,
  Node: buildNode,
  IPPool: buildIpPool,
  BlockAffinity: buildBlockAffinity,
  BGPFilter: buildBgpFilter,
  PetrelConfiguration: (_ctx, base, spec) => ({ ...base, kind: 'PetrelConfiguration', spec } as PetrelConfiguration),
};

function cidrs(v: unknown): string[] {
  return ((v ?? []) as { cidr: string }[]).map((e) => e.cidr);
}

function secret(v: unknown): SecretKeyRef | undefined {
  const s = (v as { secretKeyRef?: SecretKeyRef } | undefined)?.secretKeyRef;
  return s ? { name: s.name, key: s.key } : undefined;
}

function buildBgpConfiguration(ctx: SchemaContext, base: ResourceMeta, s: Obj, f: string): BgpConfiguration | undefined {
  const isDefault = base.name === 'default';
  if (!isDefault && !base.name.startsWith('node.')) {
    ctx.errorAt(`${f.slice(0, -5)}.metadata.name`, `BGPConfiguration name must be "default" or "node.<nodename>" (got "${base.name}")`);
    return undefined;
  }
  if (!isDefault) {
    for (const k of Object.keys(s)) {
      if (PER_NODE_FIELDS.has(k)) continue;
      const loc = ctx.fieldLoc(`${f}.${k}`);
      ctx.warnings.push({ message: `field ${loc.field} is ignored in a per-node BGPConfiguration (confd reads it only from "default") at ${loc.file}:${loc.line ?? '?'}`, loc });
    }
  }
  const communities = (s.communities ?? []) as { name: string; value: string }[];
  const prefixAdvertisements = s.prefixAdvertisements as { cidr: string; communities?: string[] }[] | undefined;
  prefixAdvertisements?.forEach((pa, i) => {
    (pa.communities ?? []).forEach((c, j) => {
      if (/^\d+(:\d+){1,2}$/.test(c)) return;
      if (!communities.some((d) => d.name === c)) ctx.errorAt(`${f}.prefixAdvertisements[${i}].communities[${j}]`, `community "${c}" is neither a value nor a name defined in spec.communities`);
    });
  });
  return {
    ...base, kind: 'BGPConfiguration',
    logSeverityScreen: s.logSeverityScreen as string | undefined,
    nodeToNodeMeshEnabled: s.nodeToNodeMeshEnabled as boolean | undefined,
    asNumber: s.asNumber as number | undefined,
    serviceClusterIPs: cidrs(s.serviceClusterIPs),
    serviceExternalIPs: cidrs(s.serviceExternalIPs),
    serviceLoadBalancerIPs: cidrs(s.serviceLoadBalancerIPs),
    serviceLoadBalancerAggregation: s.serviceLoadBalancerAggregation as BgpConfiguration['serviceLoadBalancerAggregation'],
    communities,
    prefixAdvertisements: prefixAdvertisements?.map((p) => ({ cidr: p.cidr, communities: p.communities ?? [] })),
    listenPort: s.listenPort as number | undefined,
    nodeMeshPassword: secret(s.nodeMeshPassword),
    nodeMeshMaxRestartTime: s.nodeMeshMaxRestartTime as number | undefined,
    bindMode: s.bindMode as BgpConfiguration['bindMode'],
    ignoredInterfaces: s.ignoredInterfaces as string[] | undefined,
    localWorkloadPeeringIPV4: s.localWorkloadPeeringIPV4 as string | undefined,
    localWorkloadPeeringIPV6: s.localWorkloadPeeringIPV6 as string | undefined,
    programClusterRoutes: s.programClusterRoutes as BgpConfiguration['programClusterRoutes'],
    ipv4NormalRoutePriority: s.ipv4NormalRoutePriority as number | undefined,
    ipv6NormalRoutePriority: s.ipv6NormalRoutePriority as number | undefined,
  };
}

/** Splits `IP`, `IP:port` or `[IPv6]:port` (Go net.SplitHostPort rules) into a canonical IP and a port. */
export function parsePeerIp(text: string): { ip: string; port?: number } | undefined {
  let host = text;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracket) { host = bracket[1]; portText = bracket[2]; }
  else if (/^[^:]+:\d+$/.test(text)) { const i = text.lastIndexOf(':'); host = text.slice(0, i); portText = text.slice(i + 1); }
  const ip = canonicalIp(host);
  if (ip === undefined) return undefined;
  if (portText === undefined) return { ip };
  const port = Number(portText);
  return port >= 1 && port <= 65535 ? { ip, port } : undefined;
}

function buildBgpPeer(ctx: SchemaContext, base: ResourceMeta, s: Obj, f: string): BgpPeer | undefined {
  const before = ctx.errors.length;
  if (s.localWorkloadSelector !== undefined) {
    const loc = ctx.fieldLoc(`${f}.localWorkloadSelector`);
    ctx.warnings.push({ message: `unsupported field ${loc.field} (local workload peering is not implemented; peer skipped) at ${loc.file}:${loc.line ?? '?'}`, loc });
    return undefined;
  }
  if (s.node !== undefined && s.nodeSelector !== undefined) ctx.errorAt(`${f}.nodeSelector`, 'node and nodeSelector are mutually exclusive');
  if (s.peerIP !== undefined && s.peerSelector !== undefined) ctx.errorAt(`${f}.peerSelector`, 'peerIP and peerSelector are mutually exclusive');
  if (s.peerIP === undefined && s.peerSelector === undefined) ctx.errorAt(f, 'one of peerIP or peerSelector is required');
  if (s.peerSelector !== undefined && s.asNumber !== undefined) ctx.errorAt(`${f}.asNumber`, 'asNumber must be empty with peerSelector (the AS comes from the selected nodes)');
  if (s.peerIP !== undefined && s.asNumber === undefined) ctx.errorAt(`${f}.peerIP`, 'asNumber is required with peerIP');
  let peerIP: BgpPeer['peerIP'];
  if (typeof s.peerIP === 'string') {
    peerIP = parsePeerIp(s.peerIP);
    if (!peerIP) ctx.errorAt(`${f}.peerIP`, `is not IP, IP:port or [IPv6]:port (got "${s.peerIP}")`);
  }
  const localAS = (s.localAS as { asNumber?: number } | undefined)?.asNumber;
  if (localAS !== undefined && s.localASNumber !== undefined && localAS !== s.localASNumber) {
    ctx.errorAt(`${f}.localAS.asNumber`, 'localAS.asNumber and localASNumber disagree');
  }
  if (s.reachableBy !== undefined && peerIP && (s.reachableBy as string).includes(':') !== peerIP.ip.includes(':')) {
    ctx.errorAt(`${f}.reachableBy`, 'reachableBy address family does not match peerIP');
  }
  if (s.reachableBy !== undefined && !peerIP) ctx.errorAt(`${f}.reachableBy`, 'reachableBy needs peerIP');
  if (ctx.errors.length > before) return undefined;
  const ttl = s.ttlSecurity as number | undefined;
  return {
    ...base, kind: 'BGPPeer',
    node: s.node as string | undefined,
    nodeSelector: s.nodeSelector as BgpPeer['nodeSelector'],
    peerIP,
    asNumber: s.asNumber as number | undefined,
    localASNumber: localAS ?? (s.localASNumber as number | undefined),
    peerSelector: s.peerSelector as BgpPeer['peerSelector'],
    keepOriginalNextHop: s.keepOriginalNextHop === true,
    nextHopMode: s.nextHopMode as BgpPeer['nextHopMode'],
    password: secret(s.password),
    sourceAddress: s.sourceAddress as BgpPeer['sourceAddress'],
    maxRestartTime: s.maxRestartTime as number | undefined,
    keepaliveTime: s.keepaliveTime as number | undefined,
    numAllowedLocalASNumbers: s.numAllowedLocalASNumbers as number | undefined,
    ttlSecurity: ttl === 0 ? undefined : ttl,
    reachableBy: s.reachableBy as string | undefined,
    filters: (s.filters ?? []) as string[],
    reversePeering: s.reversePeering as BgpPeer['reversePeering'],
  };
}

/** Parses a Node BGP address: `IP/len` (or a bare IP, taken as a host route), for the given family. */
export function parseNodeAddress(text: string, v6: boolean): NodeAddress | undefined {
  const slash = text.indexOf('/');
  const ipText = slash < 0 ? text : text.slice(0, slash);
  const ip = canonicalIp(ipText);
  if (ip === undefined || ip.includes(':') !== v6) return undefined;
  const lenText = slash < 0 ? String(v6 ? 128 : 32) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const prefixLength = Number(lenText);
  const network = canonicalCidr(`${ip}/${lenText}`);
  if (network === undefined) return undefined;
  return { ip, prefixLength, network };
}

function buildNode(ctx: SchemaContext, base: ResourceMeta, s: Obj, f: string): CalicoNode | undefined {
  const bgp = (s.bgp ?? {}) as Obj;
  const addr = (k: 'ipv4Address' | 'ipv6Address'): NodeAddress | undefined => {
    const t = bgp[k] as string | undefined;
    if (t === undefined || t === '') return undefined;
    const a = parseNodeAddress(t, k === 'ipv6Address');
    if (!a) ctx.errorAt(`${f}.bgp.${k}`, `is not a valid ${k === 'ipv4Address' ? 'IPv4' : 'IPv6'} address/prefix (got "${t}")`);
    return a;
  };
  const before = ctx.errors.length;
  const ipv4Address = addr('ipv4Address');
  const ipv6Address = addr('ipv6Address');
  const vxlanAddr = s.ipv4VXLANTunnelAddr as string | undefined;
  const mac = s.vxlanTunnelMACAddr as string | undefined;
  if (mac !== undefined && mac !== '' && !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) ctx.errorAt(`${f}.vxlanTunnelMACAddr`, `is not a MAC address aa:bb:cc:dd:ee:ff (got "${mac}")`);
  if (ctx.errors.length > before) return undefined;
  const rr = bgp.routeReflectorClusterID as string | undefined;
  return {
    ...base, kind: 'Node', ipv4Address, ipv6Address,
    asNumber: bgp.asNumber as number | undefined,
    routeReflectorClusterID: rr === '' ? undefined : rr,
    ipv4IPIPTunnelAddr: bgp.ipv4IPIPTunnelAddr as string | undefined,
    ...(vxlanAddr !== undefined && vxlanAddr !== '' ? { ipv4VXLANTunnelAddr: vxlanAddr } : {}),
    ...(mac !== undefined && mac !== '' ? { vxlanTunnelMACAddr: mac.toLowerCase() } : {}),
  };
}

function buildIpPool(ctx: SchemaContext, base: ResourceMeta, s: Obj, f: string): IpPool | undefined {
  const cidr = s.cidr as string;
  const v6 = cidr.includes(':');
  const ipipMode = (s.ipipMode ?? 'Never') as IpPool['ipipMode'];
  const vxlanMode = (s.vxlanMode ?? 'Never') as IpPool['vxlanMode'];
  const blockSize = (s.blockSize ?? (v6 ? 122 : 26)) as number;
  const before = ctx.errors.length;
  if (v6 && ipipMode !== 'Never') ctx.errorAt(`${f}.ipipMode`, 'IPIP is not supported on an IPv6 pool');
  if (ipipMode !== 'Never' && vxlanMode !== 'Never') ctx.errorAt(`${f}.vxlanMode`, 'ipipMode and vxlanMode cannot both be enabled');
  const [lo, hi] = v6 ? [116, 128] : [20, 32];
  if (blockSize < lo || blockSize > hi) ctx.errorAt(`${f}.blockSize`, `must be between ${lo} and ${hi} for an IPv${v6 ? 6 : 4} pool (got ${blockSize})`);
  if (ctx.errors.length > before) return undefined;
  return {
    ...base, kind: 'IPPool', cidr, family: v6 ? 'ipv6' : 'ipv4', ipipMode, vxlanMode,
    natOutgoing: s.natOutgoing === true, disableBGPExport: s.disableBGPExport === true, disabled: s.disabled === true,
    blockSize, nodeSelector: s.nodeSelector as IpPool['nodeSelector'],
  };
}

function buildBlockAffinity(ctx: SchemaContext, base: ResourceMeta, s: Obj, f: string): BlockAffinity | undefined {
  let deleted = false;
  // KDD stores `deleted` as the string "true"/"false"; etcd as a boolean.
  if (s.deleted === true || s.deleted === 'true') deleted = true;
  else if (s.deleted !== undefined && s.deleted !== false && s.deleted !== 'false') {
    ctx.errorAt(`${f}.deleted`, `must be true or false (got ${JSON.stringify(s.deleted)})`);
    return undefined;
  }
  const state = s.state === '' ? undefined : (s.state as BlockAffinity['state']);
  return { ...base, kind: 'BlockAffinity', node: s.node as string, cidr: s.cidr as string, state, deleted };
}

function buildBgpFilter(ctx: SchemaContext, base: ResourceMeta, s: Obj, f: string): BgpFilter | undefined {
  const before = ctx.errors.length;
  const lists = {} as Record<'exportV4' | 'importV4' | 'exportV6' | 'importV6', BgpFilterRule[]>;
  for (const k of ['exportV4', 'importV4', 'exportV6', 'importV6'] as const) {
    const rules = (s[k] ?? []) as BgpFilterRule[];
    const v6 = k.endsWith('V6');
    rules.forEach((r, i) => {
      const rf = `${f}.${k}[${i}]`;
      if ((r.cidr === undefined) !== (r.matchOperator === undefined)) ctx.errorAt(r.cidr ? `${rf}.cidr` : `${rf}.matchOperator`, 'cidr and matchOperator must be set together');
      if (r.cidr !== undefined && r.cidr.includes(':') !== v6) ctx.errorAt(`${rf}.cidr`, `must be an IPv${v6 ? 6 : 4} CIDR in ${k}`);
      if (r.prefixLength) {
        const max = v6 ? 128 : 32;
        const { min, max: mx } = r.prefixLength;
        if (r.cidr === undefined) ctx.errorAt(`${rf}.prefixLength`, 'prefixLength needs cidr');
        if ((min !== undefined && min > max) || (mx !== undefined && mx > max)) ctx.errorAt(`${rf}.prefixLength`, `must be within 0..${max}`);
        if (min !== undefined && mx !== undefined && min > mx) ctx.errorAt(`${rf}.prefixLength`, 'min must not exceed max');
      }
      if (r.operations && r.operations.length > 0 && r.action !== 'Accept') ctx.errorAt(`${rf}.operations`, 'operations are only allowed on Accept rules');
      r.operations?.forEach((op, j) => {
        if (Object.keys(op).length !== 1) ctx.errorAt(`${rf}.operations[${j}]`, 'each operation must set exactly one of addCommunity, prependASPath, setPriority');
      });
    });
    lists[k] = rules;
  }
  if (ctx.errors.length > before) return undefined;
  return { ...base, kind: 'BGPFilter', ...lists };
}
