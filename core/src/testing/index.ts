/** Test kit for core and for plugin authors: `@rnb/core/testing`. */
export { analyseFake, fakeLanguage } from './fake-language';
export { createTestKernel, type RecordedEvent, type TestKernel, type TestKernelOptions } from './test-kernel';
export { describeNeeding } from './describe-needing';
export { freePort } from './free-port';
export { notebookWith, type Fixture } from './notebook-fixture';
export {
  describeStorageConformance,
  largeNotebook,
  type LegacyNotebook,
  sampleCell,
  sampleNotebook,
  type StorageConformanceFixture,
  type StorageConformanceOptions,
} from './storage-conformance';
