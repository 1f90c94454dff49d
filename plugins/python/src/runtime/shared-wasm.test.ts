import { withSharedPyodideModule } from './shared-wasm';

/** The smallest valid wasm module: magic and version. */
const emptyModuleBytes = (): Uint8Array => new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe('withSharedPyodideModule', () => {
  it("releases the wasm file's bytes once compiled (the loader keeps them referenced for the instance's lifetime)", async () => {
    const bytes = emptyModuleBytes();
    const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: unknown, i?: unknown): Promise<{ instance: unknown; module: unknown }> } }).WebAssembly;
    const result = await withSharedPyodideModule(() => wasm.instantiate(bytes, {}), { askPeers: false });
    expect(result.instance).toBeDefined();
    // Detached: its memory went to a clone nobody holds.
    expect(bytes.buffer.byteLength).toBe(0);
  });
});
