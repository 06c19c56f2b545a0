/**
 * DOC: the public surface of Petrel's configuration module.
 *
 * Load Calico v3 resources + PetrelConfiguration from YAML (`loadConfig` / `parseConfigText`), derive one node's
 * sessions and advertisement inputs exactly as Calico's confd would (`deriveNodeConfig`), and plan a SIGHUP
 * reload (`diffConfig`). Selectors are exported for reuse (e.g. IPPool.nodeSelector in IPAM tooling).
 */
export { loadConfig, readConfigSources, parseConfigText, parseConfigTexts, ConfigErrors, type LoadedConfig } from './load';
export { deriveNodeConfig, resolveNodeName, hashToIPv4, peerNameIp, DEFAULT_AS, type DeriveEnv } from './derive';
export { diffConfig, type ConfigDiff, type PeerChange, type PeerAction } from './diff';
export { parseSelector, matchSelector, type Selector, type Labels } from './selector';
export { resolvePetrelSettings, RTPROT_BIRD, RT_TABLE_MAIN, type PetrelSettings } from './settings';
export type * from './node-config';
export type * from './resources';
