/**
 * DOC: the benchmark's network namespaces (performance.md, S1):
 *
 *     feed (10.10.1.2.., AS 65001..) ── dut (10.10.1.1 | 10.10.2.1, AS 65000) ── sink (10.10.2.2, AS 65002)
 *
 * Built with the interop harness's netns plumbing (names `<prefix>-<pid>-<n>`, veths created directly inside
 * their namespaces, nothing touched in the root namespace, deletion registered with the exit guard). `extraFeed`
 * adds more addresses on the feed side (S3's ten feeders, C1's 200 mesh peers: 10.10.1.2 upwards, so at most 253).
 * `destroy()` kills what still runs inside and deletes all three namespaces.
 */
import { addAddress, createNetns, vethPair, type Netns } from '../../interop-tests/lib/netns';

/** The three namespaces of one run. */
export interface Topology {
  dut: Netns;
  feed: Netns;
  sink: Netns;
  /** Addresses of the feed side, 10.10.1.2 first. */
  feedAddresses: string[];
  destroy(): Promise<void>;
}

export const DUT_FEED_IP = '10.10.1.1';
export const DUT_SINK_IP = '10.10.2.1';
export const SINK_IP = '10.10.2.2';

/** Creates the topology with `feedCount` feed-side addresses (1..252). */
export async function createTopology(feedCount = 1): Promise<Topology> {
  if (feedCount < 1 || feedCount > 252) throw new RangeError(`feedCount ${feedCount} not in 1..252`);
  const made: Netns[] = [];
  try {
    const dut = await createNetns(undefined, 'pb-dut');
    made.push(dut);
    const feed = await createNetns(undefined, 'pb-feed');
    made.push(feed);
    const sink = await createNetns(undefined, 'pb-sink');
    made.push(sink);
    await vethPair(dut, 'to-feed', feed, 'to-dut');
    await vethPair(dut, 'to-sink', sink, 'to-dut');
    await addAddress(dut, 'to-feed', `${DUT_FEED_IP}/24`);
    await addAddress(dut, 'to-sink', `${DUT_SINK_IP}/24`);
    await addAddress(sink, 'to-dut', `${SINK_IP}/24`);
    const feedAddresses: string[] = [];
    for (let i = 0; i < feedCount; i++) {
      const ip = `10.10.1.${2 + i}`;
      feedAddresses.push(ip);
      await addAddress(feed, 'to-dut', `${ip}/24`);
    }
    return {
      dut, feed, sink, feedAddresses,
      async destroy() {
        for (const ns of made) await ns.destroy().catch(() => undefined);
      },
    };
  } catch (e) {
    for (const ns of made) await ns.destroy().catch(() => undefined);
    throw e;
  }
}
