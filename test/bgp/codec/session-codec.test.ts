/**
 * OPEN negotiation: `buildOpen` output for our settings, every NOTIFICATION `negotiate` throws (exact code,
 * subcode, data), and the negotiated result: families intersection, hold/keepalive, 4-octet AS, ADD-PATH
 * directions, extended message, extended next hop, route refresh and graceful restart.
 */
import t from 'tap';
import { toHex } from '../../helpers/hex';
import { decodeMessage, encodeMessage } from '../../../src/bgp/codec/message';
import { AS_TRANS, buildOpen, type LocalSessionSettings, negotiate } from '../../../src/bgp/codec/session-codec';
import { type Capability, DEFAULT_CODEC_CONTEXT, type OpenMessage } from '../../../src/bgp/codec/types';
import { NotificationError } from '../../../src/bgp/errors';
import { family, IPV4_UNICAST, IPV6_UNICAST } from '../../../src/bgp/family';
import { MsgType } from '../../../src/bgp/constants';

const IPV4_MULTICAST = family(1, 2);

const local: LocalSessionSettings = {
  localAs: 65001, peerAs: 65002, routerId: '10.0.0.1', holdTime: 90, families: [IPV4_UNICAST, IPV6_UNICAST],
};

function remote(caps: Capability[], over: Partial<OpenMessage> = {}): OpenMessage {
  return { type: MsgType.Open, version: 4, myAs: 65002, holdTime: 30, bgpId: '10.0.0.2', capabilities: caps, ...over };
}

const MP4: Capability = { code: 1, afi: 1, safi: 1 };
const MP6: Capability = { code: 1, afi: 2, safi: 1 };
const AS4: Capability = { code: 65, asn: 65002 };

function failure(l: LocalSessionSettings, r: OpenMessage): string {
  try {
    negotiate(l, r);
  } catch (err) {
    if (err instanceof NotificationError) return `${err.errorCode}/${err.errorSubcode} ${toHex(err.data)}`;
    throw err;
  }
  return 'ok';
}

t.test('buildOpen', async (t) => {
  t.strictSame(buildOpen(local), {
    type: MsgType.Open, version: 4, myAs: 65001, holdTime: 90, bgpId: '10.0.0.1',
    capabilities: [MP4, MP6, { code: 2 }, { code: 65, asn: 65001 }],
  });
  const full: LocalSessionSettings = {
    ...local, localAs: 4200000001, routeRefresh: false, enhancedRouteRefresh: true, extendedMessage: true, extendedNextHop: true,
    gracefulRestart: { restartTime: 120, restarting: true, forwarding: true },
    addPath: new Map([[IPV4_UNICAST, 3], [IPV6_UNICAST, 1]]), softwareVersion: 'Petrel/0.1.0',
  };
  const open = buildOpen(full);
  t.strictSame(open, {
    type: MsgType.Open, version: 4, myAs: AS_TRANS, holdTime: 90, bgpId: '10.0.0.1',
    capabilities: [
      MP4, MP6, { code: 70 }, { code: 6 },
      { code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
      { code: 64, flags: 8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0x80 }] },
      { code: 65, asn: 4200000001 },
      { code: 69, families: [{ afi: 1, safi: 1, sendReceive: 3 }, { afi: 2, safi: 1, sendReceive: 1 }] },
      { code: 75, version: 'Petrel/0.1.0' },
    ],
  });
  const bytes = encodeMessage(open, DEFAULT_CODEC_CONTEXT);
  t.strictSame(decodeMessage(bytes, 0, bytes.length, DEFAULT_CODEC_CONTEXT), open, 'encodes and decodes back');
});

t.test('a plain session', async (t) => {
  const s = negotiate(local, remote([MP4, MP6, { code: 2 }, AS4]));
  t.strictSame(s.families, [IPV4_UNICAST, IPV6_UNICAST]);
  t.equal(s.holdTime, 30);
  t.equal(s.keepaliveTime, 10);
  t.equal(s.peerAs, 65002);
  t.equal(s.peerRouterId, '10.0.0.2');
  t.equal(s.routeRefresh, true);
  t.equal(s.enhancedRouteRefresh, false);
  t.equal(s.gracefulRestart, undefined);
  t.strictSame(s.rx, { as4: true, addPath: new Set(), extendedMessage: false });
  t.strictSame(s.tx, { as4: true, addPath: new Set(), extendedMessage: false });
  t.strictSame(s.extendedNextHop, new Set());
  t.strictSame(s.peerCapabilities, [MP4, MP6, { code: 2 }, AS4]);
});

t.test('families are the intersection, in our order', async (t) => {
  t.strictSame(negotiate(local, remote([MP6, { code: 1, afi: 1, safi: 2 }, AS4])).families, [IPV6_UNICAST]);
  t.strictSame(negotiate({ ...local, families: [IPV6_UNICAST, IPV4_UNICAST] }, remote([MP4, MP6])).families, [IPV6_UNICAST, IPV4_UNICAST]);
  // RFC 4760 §8: no multiprotocol capability at all means IPv4 unicast only.
  t.strictSame(negotiate(local, remote([AS4])).families, [IPV4_UNICAST]);
  t.strictSame(negotiate(local, remote([])).families, [IPV4_UNICAST]);
  // Nothing in common: 2/7 listing our multiprotocol capabilities.
  t.equal(failure({ ...local, families: [IPV6_UNICAST] }, remote([AS4])), '2/7 010400020001');
  t.equal(failure(local, remote([{ code: 1, afi: 1, safi: 2 }])), '2/7 010400010001010400020001');
});

t.test('hold time and keepalive', async (t) => {
  t.equal(failure(local, remote([], { holdTime: 1 })), '2/6 ');
  t.equal(failure(local, remote([], { holdTime: 2 })), '2/6 ');
  const zero = negotiate(local, remote([], { holdTime: 0 }));
  t.strictSame([zero.holdTime, zero.keepaliveTime], [0, 0]);
  const three = negotiate(local, remote([], { holdTime: 3 }));
  t.strictSame([three.holdTime, three.keepaliveTime], [3, 1]);
  const ours = negotiate({ ...local, holdTime: 0 }, remote([], { holdTime: 180 }));
  t.strictSame([ours.holdTime, ours.keepaliveTime], [0, 0]);
  const big = negotiate({ ...local, holdTime: 240 }, remote([], { holdTime: 180 }));
  t.strictSame([big.holdTime, big.keepaliveTime], [180, 60]);
});

t.test('version, peer AS and BGP identifier', async (t) => {
  t.equal(failure(local, remote([], { version: 3 })), '2/1 0004');
  t.equal(failure(local, remote([], { version: 5 })), '2/1 0004');
  t.equal(failure(local, remote([], { myAs: 65003 })), '2/2 ');
  t.equal(failure(local, remote([{ code: 65, asn: 65003 }])), '2/2 ', 'the 4-octet AS capability decides');
  t.equal(failure({ ...local, peerAs: 0 }, remote([], { myAs: 0 })), '2/2 ', 'RFC 7607: AS 0');
  t.equal(negotiate({ ...local, peerAs: 0 }, remote([], { myAs: 64999 })).peerAs, 64999, 'peerAs 0 accepts any');
  const far = { ...local, peerAs: 4200000000 };
  t.equal(negotiate(far, remote([{ code: 65, asn: 4200000000 }], { myAs: AS_TRANS })).peerAs, 4200000000);
  t.equal(failure(far, remote([], { myAs: AS_TRANS })), '2/2 ', 'a 4-octet peer AS needs the capability');
  t.equal(failure(local, remote([], { bgpId: '0.0.0.0' })), '2/3 ');
  const ibgp = { ...local, peerAs: 65001 };
  t.equal(failure(ibgp, remote([], { myAs: 65001, bgpId: '10.0.0.1' })), '2/3 ', 'RFC 6286 §2.2: our own identifier on iBGP');
  t.equal(negotiate(local, remote([], { bgpId: '10.0.0.1' })).peerRouterId, '10.0.0.1', 'allowed on eBGP');
  t.equal(failure(local, remote([MP4], { otherParams: [{ type: 1, value: Buffer.from([1]) }] })), '2/4 ');
});

t.test('4-octet AS and extended message need both sides', async (t) => {
  const noAs4 = negotiate(local, remote([MP4, { code: 6 }]));
  t.equal(noAs4.rx.as4, false);
  t.equal(noAs4.tx.as4, false);
  t.equal(noAs4.rx.extendedMessage, false, 'we did not offer it');
  const ext = negotiate({ ...local, extendedMessage: true }, remote([MP4, { code: 6 }, AS4]));
  t.strictSame([ext.rx.extendedMessage, ext.tx.extendedMessage, ext.rx.as4], [true, true, true]);
  t.equal(negotiate({ ...local, extendedMessage: true }, remote([MP4])).tx.extendedMessage, false, 'peer did not offer it');
});

t.test('ADD-PATH directions', async (t) => {
  const l = { ...local, addPath: new Map<number, 1 | 2 | 3>([[IPV4_UNICAST, 3], [IPV6_UNICAST, 1], [IPV4_MULTICAST, 3]]) };
  const s = negotiate(l, remote([MP4, MP6, AS4, {
    code: 69,
    families: [{ afi: 1, safi: 1, sendReceive: 1 }, { afi: 2, safi: 1, sendReceive: 3 }, { afi: 1, safi: 2, sendReceive: 3 }],
  }]));
  t.strictSame(s.addPathRx, new Set([IPV6_UNICAST]), 'we receive where we said receive and they said send');
  t.strictSame(s.addPathTx, new Set([IPV4_UNICAST]), 'we send where we said send and they said receive');
  t.equal(s.rx.addPath, s.addPathRx);
  t.equal(s.tx.addPath, s.addPathTx);
  const both = negotiate(l, remote([MP4, { code: 69, families: [{ afi: 1, safi: 1, sendReceive: 3 }] }]));
  t.strictSame([both.addPathRx, both.addPathTx], [new Set([IPV4_UNICAST]), new Set([IPV4_UNICAST])]);
  const bogus = negotiate(l, remote([MP4, { code: 69, families: [{ afi: 1, safi: 1, sendReceive: 7 }] }]));
  t.strictSame([bogus.addPathRx.size, bogus.addPathTx.size], [0, 0], 'send/receive outside 1-3 is ignored');
  t.equal(negotiate(local, remote([MP4, { code: 69, families: [{ afi: 1, safi: 1, sendReceive: 3 }] }])).addPathRx.size, 0, 'not offered by us');
});

t.test('extended next hop', async (t) => {
  const l = { ...local, extendedNextHop: true };
  const enh: Capability = { code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }, { afi: 1, safi: 2, nextHopAfi: 2 }] };
  t.strictSame(negotiate(l, remote([MP4, MP6, enh])).extendedNextHop, new Set([IPV4_UNICAST]));
  t.strictSame(negotiate(local, remote([MP4, MP6, enh])).extendedNextHop, new Set(), 'not offered by us');
  t.strictSame(negotiate(l, remote([MP4, { code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 1 }] }])).extendedNextHop, new Set());
});

t.test('route refresh and enhanced route refresh', async (t) => {
  const l = { ...local, enhancedRouteRefresh: true };
  const s = negotiate(l, remote([MP4, { code: 2 }, { code: 70 }]));
  t.strictSame([s.routeRefresh, s.enhancedRouteRefresh], [true, true]);
  const off = negotiate({ ...l, routeRefresh: false }, remote([MP4, { code: 2 }, { code: 70 }]));
  t.strictSame([off.routeRefresh, off.enhancedRouteRefresh], [false, false]);
  const peerNo = negotiate(l, remote([MP4, { code: 70 }]));
  t.strictSame([peerNo.routeRefresh, peerNo.enhancedRouteRefresh], [false, false]);
});

t.test('graceful restart', async (t) => {
  const gr: Capability = {
    code: 64, flags: 0xc, restartTime: 120,
    families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0 }, { afi: 1, safi: 2, flags: 0x80 }],
  };
  const l = { ...local, gracefulRestart: { restartTime: 90, restarting: false, forwarding: true } };
  t.strictSame(negotiate(l, remote([MP4, MP6, gr])).gracefulRestart, {
    restarting: true, notification: true, restartTime: 120,
    families: [{ family: IPV4_UNICAST, forwarding: true }, { family: IPV6_UNICAST, forwarding: false }],
  });
  t.equal(negotiate(local, remote([MP4, gr])).gracefulRestart, undefined, 'not offered by us');
  t.equal(negotiate(l, remote([MP4])).gracefulRestart, undefined, 'not offered by the peer');
});
