export { FileNotFoundError, type ByteRange, type FileStore } from './store.js';
export { FileExistsError } from './errors.js';
export { createGridFsStore, type GridFsStoreOptions } from './gridfs.js';
export { createS3Store, type S3FileStore, type S3StoreOptions } from './s3.js';
export {
  checkFileStorageEnv,
  createFileStore,
  fileStorageEnv,
  fileStorageEnvSchema,
  type FileStorageEnv,
} from './config.js';
export { isStorageOutage } from './outage.js';
export { FileUrlSigner, type FileVariant, type SignatureCheck } from './signed-urls.js';
