/**
 * DOC: where the peer daemons' binaries are, as installed by `.ci/install-system-deps.sh`, and whether they
 * are present. BIRD 1.6 cannot be installed beside BIRD 2 (the `bird` and `bird2` packages conflict), so it
 * is unpacked from its .deb into `$PETREL_BIRD1_DIR` (default `/opt/petrel-peers/bird1`).
 */
import { accessSync, constants } from 'node:fs';
import type { PeerKind } from './types.js';

/** Directory the BIRD 1.6 .deb is unpacked into. */
export function bird1Dir(): string {
  return process.env['PETREL_BIRD1_DIR'] ?? '/opt/petrel-peers/bird1';
}

/** Paths of one daemon's binaries. */
export interface PeerBinaries {
  /** Daemon binaries (FRR: zebra and bgpd; BIRD: bird). */
  daemons: Record<string, string>;
  /** Query client (vtysh or birdc). */
  client: string;
}

/** Binaries of a peer kind. */
export function peerBinaries(kind: PeerKind): PeerBinaries {
  switch (kind) {
    case 'frr':
      return { daemons: { zebra: '/usr/lib/frr/zebra', bgpd: '/usr/lib/frr/bgpd' }, client: '/usr/bin/vtysh' };
    case 'bird2':
      return { daemons: { bird: '/usr/sbin/bird' }, client: '/usr/sbin/birdc' };
    case 'bird1':
      return { daemons: { bird: `${bird1Dir()}/usr/sbin/bird` }, client: `${bird1Dir()}/usr/sbin/birdc` };
    case 'bird1v6':
      // BIRD 1.6 runs IPv6 as a separate daemon with its own client; the driver still calls it `bird`.
      return { daemons: { bird: `${bird1Dir()}/usr/sbin/bird6` }, client: `${bird1Dir()}/usr/sbin/birdc6` };
  }
}

/** The binaries of `kind` that are missing or not executable (empty when it can run). */
export function missingBinaries(kind: PeerKind): string[] {
  const b = peerBinaries(kind);
  return [...Object.values(b.daemons), b.client].filter((p) => {
    try {
      accessSync(p, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}
