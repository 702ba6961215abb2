import type { RateLimits, RpcCaller } from '@chat/api';
import type { Logger } from '@chat/core';
import type { FileStore, FileUrlSigner } from '@chat/files';
import type { GatewayEnv } from '../env.js';
import type { ImageProcessor } from './images.js';

/** What the /files routes need from the gateway. */
export interface FileRouteDeps {
  env: GatewayEnv;
  log: Logger;
  rpc: RpcCaller;
  limits: RateLimits;
  files: FileStore;
  images: ImageProcessor;
  signer: FileUrlSigner;
  /** Uploads being received right now (the uploads_in_flight gauge). */
  uploadsInFlight: { set(value: number): void };
  /** The user id of a valid access token, else null. */
  authenticate(token: string | null): Promise<string | null>;
}
