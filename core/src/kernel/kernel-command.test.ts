import { kernelCommand, kernelV8Flags, type IsolationLayers } from './sandbox';

const layers: IsolationLayers = { permissionFlag: '--permission', networkNamespace: true, switchUser: true, uid: 65534, gid: 65534, missing: [] };

describe('the kernel command line', () => {
  it('gives no child processes unless a language starts its own sandbox', () => {
    const plain = kernelCommand(layers, '/app/core/dist/kernel/child/main.js', ['/app/plugins/x'], [], 'payload');
    expect(plain.args).not.toContain('--allow-child-process');
    expect(plain.args).toContain('--permission');
    const withChildren = kernelCommand(layers, '/app/core/dist/kernel/child/main.js', ['/app/plugins/x'], [], 'payload', true);
    expect(withChildren.args).toContain('--allow-child-process');
    // The other layers stay: uid switch, network namespace, no code generation.
    expect(withChildren.command).toBe('unshare');
    expect(withChildren.args).toEqual(expect.arrayContaining(['--net', 'setpriv', '--reuid=65534', '--disallow-code-generation-from-strings']));
  });
});

describe('kernelV8Flags', () => {
  const noLayers: IsolationLayers = { permissionFlag: null, networkNamespace: false, switchUser: false, uid: 65534, gid: 65534, missing: [] };

  it("runs a kernel with exactly kernelV8Flags' V8 flags (what a build-time code cache for kernels is made with), each once", () => {
    const flags = kernelV8Flags(1024);
    const { args } = kernelCommand(noLayers, '/k/child/main.js', [], flags, 'payload');
    for (const flag of flags) expect(args.filter((arg) => arg === flag)).toHaveLength(1);
  });

  it('forbids code generation from strings whatever node flags the caller passed', () => {
    const { args } = kernelCommand(noLayers, '/k/child/main.js', [], ['--max-old-space-size=64'], 'payload');
    expect(args).toContain('--disallow-code-generation-from-strings');
    expect(kernelV8Flags(64)).toContain('--disallow-code-generation-from-strings');
  });
});
