/**
 * DOC: loads petrel.proto into a gRPC service definition, shared by the server and the client.
 *
 * Uses @grpc/proto-loader (protobufjs underneath) at run time: no generated code to keep in sync. Loader options
 * are fixed here so both ends agree: camelCase field names, 64-bit integers as JS numbers, enums as their names,
 * defaults filled in (absent proto3 `optional` fields stay absent).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from './paths';

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: false };

let cached: grpc.ServiceClientConstructor | undefined;

/** The `petrel.v1.Petrel` service constructor (its `.service` is the server-side definition). Loaded once. */
export function petrelService(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const def = protoLoader.loadSync(protoPath(), LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as { petrel: { v1: { Petrel: grpc.ServiceClientConstructor } } };
  cached = pkg.petrel.v1.Petrel;
  return cached;
}
