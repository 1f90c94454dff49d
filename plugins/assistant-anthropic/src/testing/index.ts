/** Test kit: a fake Anthropic Messages API server (`@rnb/plugin-assistant-anthropic/testing`). */
export { startFakeModelServer, type FakeBlock, type FakeModelRequest, type FakeModelServer, type FakeReply, type FakeScript } from './fake-model-server';
