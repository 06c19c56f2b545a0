/**
 * ExaBGP's corpus (test/fixtures/exabgp, BSD-3): every raw message of qa/encoding/*.ci and qa/api/*.ci is framed and
 * decoded without an exception; those in families Petrel routes re-encode to the same bytes; those in other
 * families are reported as unsupported; ExaBGP's JSON decode of unicast UPDATEs matches ours on the meaningful
 * fields; and every qa/decoding OPEN and IPv4/IPv6 unicast UPDATE matches its expected JSON.
 */
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import { fixturePath } from '../../helpers/fixtures';
import { hex, message, toHex } from '../../helpers/hex';
import { Framer } from '../../../src/bgp/codec/framer';
import { decodeMessage, encodeMessage } from '../../../src/bgp/codec/message';
import type { BgpMessage, CodecContext, MpReach, MpUnreach, OpenMessage, UpdateMessage } from '../../../src/bgp/codec/types';
import { family, isSupportedFamily, IPV4_UNICAST, IPV6_UNICAST } from '../../../src/bgp/family';
import { formatPrefixKey } from '../../../src/util/prefix';

const root = fixturePath('exabgp');

function contextFor(confName: string | undefined): CodecContext {
  const text = confName ? fs.readFileSync(`${root}/etc/exabgp/${confName}`, 'utf8') : '';
  return {
    as4: !/asn4\s+disable/.test(text),
    addPath: /add-path\s+(send|receive)/.test(text) ? new Set([IPV4_UNICAST, IPV6_UNICAST]) : new Set(),
    extendedMessage: false,
  };
}

function frameAll(bytes: Buffer): { buf: Buffer; start: number; end: number }[] {
  const out: { buf: Buffer; start: number; end: number }[] = [];
  const f = new Framer(65535);
  f.push(bytes, (buf, start, end) => out.push({ buf, start, end }));
  if (f.pendingBytes) throw new Error(`${f.pendingBytes} octets left unframed`);
  return out;
}

/** The MP families an UPDATE names that Petrel does not route. */
function unsupportedIn(u: UpdateMessage): number[] {
  const fams: number[] = [];
  for (const a of u.attributes) {
    if (a.code !== 14 && a.code !== 15) continue;
    const m = a.value as MpReach | MpUnreach;
    const f = family(m.afi, m.safi);
    if (!isSupportedFamily(f)) fams.push(f);
  }
  return fams;
}

interface Summary {
  announce: Record<string, string[]>;
  withdraw: string[];
  origin?: string;
  med?: number;
  localPref?: number;
  asPath?: number[];
  communities?: number[][];
  largeCommunities?: number[][];
  originatorId?: string;
  clusterList?: string[];
}

const ORIGINS = ['igp', 'egp', 'incomplete'];

function nlriText(key: number | string, pathId: number | undefined): string {
  return pathId === undefined ? formatPrefixKey(key) : `${formatPrefixKey(key)}#${pathId}`;
}

/** Our decode in ExaBGP's terms, unicast families only. */
function summarise(u: UpdateMessage): Summary {
  const s: Summary = { announce: {}, withdraw: [] };
  const add = (nh: string, key: number | string, pid: number | undefined) => (s.announce[nh] ??= []).push(nlriText(key, pid));
  let nextHop = '';
  for (const a of u.attributes) {
    switch (a.code) {
      case 1: s.origin = ORIGINS[a.value as number]; break;
      case 2: s.asPath = (a.value as { asns: number[] }[]).flatMap((x) => x.asns); break;
      case 3: nextHop = a.value as string; break;
      case 4: s.med = a.value as number; break;
      case 5: s.localPref = a.value as number; break;
      case 8: s.communities = (a.value as number[]).map((c) => [Math.floor(c / 65536), c % 65536]); break;
      case 9: s.originatorId = a.value as string; break;
      case 10: s.clusterList = a.value as string[]; break;
      case 32: s.largeCommunities = a.value as number[][]; break;
      case 14: {
        const m = a.value as MpReach;
        if (!m.nlri) break;
        m.nlri.keys.forEach((k, i) => add(m.nextHops[0], k, m.nlri!.pathIds?.[i]));
        break;
      }
      case 15: {
        const m = a.value as MpUnreach;
        m.nlri?.keys.forEach((k, i) => s.withdraw.push(nlriText(k, m.nlri!.pathIds?.[i])));
        break;
      }
    }
  }
  u.nlri.keys.forEach((k, i) => add(nextHop, k, u.nlri.pathIds?.[i]));
  u.withdrawn.keys.forEach((k, i) => s.withdraw.push(nlriText(k, u.withdrawn.pathIds?.[i])));
  return s;
}

function pathIdOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const p = text.split('.').map(Number);
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

/** ExaBGP's JSON for the same UPDATE, reduced to the same Summary (unicast families only). */
function summariseExa(json: any): Summary {
  const upd = (json.neighbor?.message ?? json.message)?.update ?? {};
  const attr = upd.attribute ?? {};
  const s: Summary = { announce: {}, withdraw: [] };
  for (const [fam, byNh] of Object.entries<any>(upd.announce ?? {})) {
    if (fam !== 'ipv4 unicast' && fam !== 'ipv6 unicast') continue;
    for (const [nh, list] of Object.entries<any[]>(byNh)) {
      for (const e of list) {
        const pid = pathIdOf(e['path-information']);
        (s.announce[nh] ??= []).push(pid === undefined ? e.nlri : `${e.nlri}#${pid}`);
      }
    }
  }
  for (const [fam, list] of Object.entries<any[]>(upd.withdraw ?? {})) {
    if (fam !== 'ipv4 unicast' && fam !== 'ipv6 unicast') continue;
    for (const e of list) {
      const pid = pathIdOf(e['path-information']);
      s.withdraw.push(pid === undefined ? e.nlri : `${e.nlri}#${pid}`);
    }
  }
  if (attr.origin !== undefined) s.origin = attr.origin;
  if (attr.med !== undefined) s.med = attr.med;
  if (attr['local-preference'] !== undefined) s.localPref = attr['local-preference'];
  if (attr['as-path'] !== undefined) {
    const p = attr['as-path'];
    s.asPath = Array.isArray(p) ? p.flat() : Object.values<any>(p).flatMap((seg) => seg.value);
  }
  if (attr.community !== undefined) s.communities = attr.community;
  if (attr['large-community'] !== undefined) s.largeCommunities = attr['large-community'];
  if (attr['originator-id'] !== undefined) s.originatorId = attr['originator-id'];
  if (attr['cluster-list'] !== undefined) s.clusterList = attr['cluster-list'];
  return s;
}

/** Compares only the fields ExaBGP reported (it omits some attributes it does not print). */
function sameAsExa(t: Test, ours: Summary, exa: Summary, name: string): void {
  const pick = (s: Summary) => {
    const o: Record<string, unknown> = { announce: s.announce, withdraw: [...s.withdraw].sort() };
    for (const k of ['origin', 'med', 'localPref', 'asPath', 'communities', 'largeCommunities', 'originatorId', 'clusterList'] as const) {
      if (exa[k] !== undefined) o[k] = s[k];
    }
    return o;
  };
  t.same(pick(ours), pick(exa), name);
}

let totalRaw = 0;
for (const dir of ['encoding', 'api']) {
  for (const file of fs.readdirSync(`${root}/qa/${dir}`).filter((f) => f.endsWith('.ci')).sort()) {
    t.test(`${dir}/${file}`, (t) => {
      const lines = fs.readFileSync(`${root}/qa/${dir}/${file}`, 'utf8').split('\n');
      const conf = lines.find((l) => l.startsWith('option:file:'))?.slice('option:file:'.length).trim();
      const ctx = contextFor(conf);
      let last: BgpMessage | undefined;
      for (const line of lines) {
        const m = /^([A-Z]?\d+):(raw|json):(.*)$/.exec(line.trim());
        if (!m) continue;
        if (m[2] === 'raw') {
          totalRaw++;
          const bytes = hex(m[3]);
          const frames = frameAll(bytes);
          t.equal(frames.length, 1, `${m[1]} is one message`);
          const { buf, start, end } = frames[0];
          let msg: BgpMessage;
          try {
            msg = decodeMessage(buf, start, end, ctx);
          } catch (e) {
            t.fail(`${m[1]} decodes without error: ${(e as Error).message} (${m[3].slice(0, 80)})`);
            last = undefined;
            continue;
          }
          last = msg;
          if (msg.type === 2 && unsupportedIn(msg).length) {
            const flagged = msg.attributes.some((a) => (a.code === 14 || a.code === 15) && (a.value as MpReach).unsupported !== undefined);
            t.ok(flagged, `${m[1]}: family ${unsupportedIn(msg).map((f) => f.toString(16))} reported as unsupported`);
          }
          t.equal(toHex(encodeMessage(msg, ctx)), toHex(bytes), `${m[1]} re-encodes to the same bytes`);
        } else if (last && last.type === 2) {
          const exa = JSON.parse(m[3]);
          const u = (exa.neighbor?.message ?? exa.message)?.update;
          const fams = Object.keys({ ...u?.announce, ...u?.withdraw });
          if (fams.length && fams.every((f) => f === 'ipv4 unicast' || f === 'ipv6 unicast')) {
            sameAsExa(t, summarise(last), summariseExa(exa), `${m[1]} matches ExaBGP's decode`);
          }
        }
      }
      t.end();
    });
  }
}

t.test('every raw line of the corpus was seen', (t) => {
  t.equal(totalRaw, 391, 'README counts 391 raw lines');
  t.end();
});

t.test('qa/decoding', (t) => {
  const dir = `${root}/qa/decoding`;
  for (const name of fs.readdirSync(dir).sort()) {
    const [kind, hexLine, jsonLine] = fs.readFileSync(`${dir}/${name}`, 'utf8').split('\n');
    const expected = JSON.parse(jsonLine);
    if (kind.startsWith('nlri')) {
      t.pass(`${name}: bare ${kind.slice(5)} NLRI, a family Petrel does not route (no message to decode)`);
      continue;
    }
    // A few files hold only the UPDATE body (no 19-octet header): wrap those as an UPDATE.
    const raw = hex(hexLine);
    const bytes = raw.subarray(0, 16).equals(Buffer.alloc(16, 0xff)) ? raw : message(2, raw);
    const msg = decodeMessage(bytes, 0, bytes.length, contextFor(undefined));
    if (kind === 'open') {
      const o = msg as OpenMessage;
      const exp = expected.neighbor?.open ?? expected.open;
      t.equal(o.version, exp.version, `${name}: version`);
      t.equal(o.myAs, exp.asn, `${name}: asn`);
      t.equal(o.holdTime, exp.hold_time, `${name}: hold time`);
      t.equal(o.bgpId, exp.router_id, `${name}: router id`);
      t.same(o.capabilities.map((c) => c.code).sort((a, b) => a - b), Object.keys(exp.capabilities).map(Number).sort((a, b) => a - b), `${name}: capability codes`);
      continue;
    }
    const u = msg as UpdateMessage;
    if (kind === 'update ipv4 unicast' || kind === 'update ipv6 unicast') {
      sameAsExa(t, summarise(u), summariseExa(expected), `${name}: matches the expected JSON`);
    } else {
      t.ok(unsupportedIn(u).length > 0, `${name}: ${kind} reported as unsupported`);
    }
  }
  t.end();
});
