/**
 * DOC: configuration loading: files or a directory of YAML → a validated ResourceSet, plus every finding.
 *
 * Owns file discovery (files, or `*.yaml`/`*.yml` in a directory, sorted by name, not recursive), YAML parsing
 * with `parseAllDocuments` + `LineCounter` (so syntax errors carry lines), per-document validation (`kinds.ts`) and
 * the cross-resource checks: duplicate kind/name, at most one PetrelConfiguration, BGPPeer filters that name no
 * BGPFilter (warning: confd silently skips them). Nothing is dropped silently: a document is either a resource,
 * an error, or a warning. `loadConfig` throws `ConfigErrors` (a ConfigError listing all errors) if any exist.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type ParsedNode } from 'yaml';
import { ConfigError } from '../util/errors';
import { readDocument } from './kinds';
import type { ConfigWarning, PetrelConfiguration, Resource, ResourceSet } from './resources';
import { SchemaContext } from './schema';
import { checkSecrets, type KubeSecret } from './secrets';

/** The result of reading configuration sources. `errors` is empty when the configuration is usable. */
export interface LoadedConfig {
  resources: ResourceSet;
  warnings: ConfigWarning[];
  errors: ConfigError[];
  /** The files read, in order. */
  files: string[];
  /** `kind: Secret` documents (BGP passwords, secrets.ts); absent when none were read. */
  secrets?: KubeSecret[];
}

/** A ConfigError that carries every error found; its message lists them one per line (its own location is empty). */
export class ConfigErrors extends ConfigError {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    super(`${errors.length} configuration error${errors.length === 1 ? '' : 's'}:\n${errors.map((e) => `  ${e.message}`).join('\n')}`,
      {});
    this.errors = errors;
  }
}

/**
 * Loads and validates configuration from a YAML file, a directory (its `*.yaml`/`*.yml` files, sorted by name,
 * not recursive), or several of those (e.g. shared cluster resources plus one node's PetrelConfiguration).
 * @throws ConfigErrors listing every error found; ConfigError if a path cannot be read.
 */
export async function loadConfig(paths: string | readonly string[]): Promise<LoadedConfig> {
  const loaded = await readConfigSources(paths);
  if (loaded.errors.length > 0) throw new ConfigErrors(loaded.errors);
  return loaded;
}

/** Like `loadConfig` but returns configuration errors instead of throwing (unreadable paths still throw). */
export async function readConfigSources(paths: string | readonly string[]): Promise<LoadedConfig> {
  const files: string[] = [];
  for (const path of typeof paths === 'string' ? [paths] : paths) files.push(...await listFiles(path));
  const texts = await Promise.all(files.map(async (f) => ({ file: f, text: await readFile(f, 'utf8') })));
  return parseConfigTexts(texts);
}

async function listFiles(path: string): Promise<string[]> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read configuration: ${e.code ?? e.message}`, { file: path });
  });
  if (!st.isDirectory()) return [path];
  const files = (await readdir(path)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort().map((n) => join(path, n));
  if (files.length === 0) throw new ConfigError('no *.yaml or *.yml files in the directory', { file: path });
  return files;
}

/** Parses and validates one YAML text (for tests and for `-p`-style checks). Never throws for bad input. */
export function parseConfigText(text: string, file = '<input>'): LoadedConfig {
  return parseConfigTexts([{ file, text }]);
}

/** Parses and validates several named YAML texts as one configuration. */
export function parseConfigTexts(sources: readonly { file: string; text: string }[]): LoadedConfig {
  const errors: ConfigError[] = [];
  const warnings: ConfigWarning[] = [];
  const all: Resource[] = [];
  const secrets: KubeSecret[] = [];
  for (const { file, text } of sources) {
    const lc = new LineCounter();
    const ctx = new SchemaContext(file, lc);
    const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
    if (!Array.isArray(docs)) continue; // an empty stream
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) ctx.errors.push(new ConfigError(`YAML: ${e.message.split('\n')[0]}`, ctx.locOfOffset(e.pos[0])));
        continue;
      }
      for (const w of doc.warnings) ctx.warnings.push({ message: `YAML: ${w.message.split('\n')[0]}`, loc: ctx.locOfOffset(w.pos[0]) });
      if (doc.contents === null) continue; // an empty document (e.g. a trailing ---)
      readDocument(ctx, doc.contents as ParsedNode, all, secrets);
    }
    errors.push(...ctx.errors);
    warnings.push(...ctx.warnings);
  }
  const resources = group(all, errors, warnings);
  errors.push(...checkSecrets(secrets));
  return { resources, warnings, errors, files: sources.map((s) => s.file), ...(secrets.length ? { secrets } : {}) };
}

function group(all: Resource[], errors: ConfigError[], warnings: ConfigWarning[]): ResourceSet {
  const set: ResourceSet = { bgpConfigurations: [], bgpPeers: [], nodes: [], ipPools: [], blockAffinities: [], bgpFilters: [] };
  const seen = new Map<string, Resource>();
  for (const r of all) {
    const key = `${r.kind}/${r.name}`;
    const prev = seen.get(key);
    if (prev) {
      errors.push(new ConfigError(`duplicate ${r.kind} "${r.name}" (first defined at ${prev.loc.file}:${prev.loc.line ?? '?'})`, r.loc));
      continue;
    }
    seen.set(key, r);
    switch (r.kind) {
      case 'BGPConfiguration': set.bgpConfigurations.push(r); break;
      case 'BGPPeer': set.bgpPeers.push(r); break;
      case 'Node': set.nodes.push(r); break;
      case 'IPPool': set.ipPools.push(r); break;
      case 'BlockAffinity': set.blockAffinities.push(r); break;
      case 'BGPFilter': set.bgpFilters.push(r); break;
      case 'PetrelConfiguration': {
        if (set.petrel) {
          errors.push(new ConfigError(`only one PetrelConfiguration is allowed (another at ${set.petrel.loc.file}:${set.petrel.loc.line ?? '?'})`, r.loc));
        } else {
          set.petrel = r as PetrelConfiguration;
        }
        break;
      }
    }
  }
  const filterNames = new Set(set.bgpFilters.map((f) => f.name));
  for (const p of set.bgpPeers) {
    for (const fname of p.filters) {
      if (!filterNames.has(fname)) {
        warnings.push({ message: `BGPPeer "${p.name}" references unknown BGPFilter "${fname}" (skipped, as confd does) at ${p.loc.file}:${p.loc.line ?? '?'}`, loc: { ...p.loc, field: `BGPPeer[${p.name}].spec.filters` } });
      }
    }
  }
  return set;
}
