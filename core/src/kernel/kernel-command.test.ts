import { kernelCommand, type IsolationLayers } from './sandbox';

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
