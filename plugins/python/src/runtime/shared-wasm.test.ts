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

describe('withSharedPyodideModule with the wasm file', () => {
  it("compiles the file named by wasmFile (started before the loader asks) and instantiates that module, not the loader's bytes", async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    // A module told apart by a custom section "rnb" (id 0, size 4, name length 3, "rnb").
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-wasm-')), 'marked.wasm');
    fs.writeFileSync(file, new Uint8Array([...emptyModuleBytes(), 0x00, 0x04, 0x03, 0x72, 0x6e, 0x62]));
    type Wasm = { instantiate(b: unknown, i?: unknown): Promise<{ instance: unknown; module: object }>; Module: { customSections(m: object, name: string): ArrayBuffer[] } };
    const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
    let isolated!: typeof import('./shared-wasm');
    jest.isolateModules(() => {
      isolated = require('./shared-wasm') as typeof import('./shared-wasm');
    });
    const loaderBytes = emptyModuleBytes();
    const result = await isolated.withSharedPyodideModule(() => wasm.instantiate(loaderBytes, {}), { askPeers: false, wasmFile: file });
    expect(wasm.Module.customSections(result.module, 'rnb')).toHaveLength(1);
    // The loader's own copy is still released.
    expect(loaderBytes.buffer.byteLength).toBe(0);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
