const { createTestKernel, notebookWith } = require('@rnb/core/testing');
(async () => {
  const kernel = await createTestKernel({ manager: { limits: { runtimeCallTimeoutMs: 4000 } } });
  const nb = await notebookWith(kernel, 'o', ['alpha = 1', 'alps = 2']);
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    try { await kernel.service.callRuntime('o', nb.notebookId, 'fake', 'echo', { a: 1 }); } catch (e) { console.log('ERR', e.message); }
    console.log('call ms', (performance.now() - t).toFixed(1));
  }
  for (let i = 0; i < 3; i++) { const t = performance.now(); await nb.run(0); console.log('run ms', (performance.now() - t).toFixed(1)); }
  const t = performance.now();
  await kernel.service.callRuntime('o', nb.notebookId, 'fake', 'echo', { a: 1 });
  console.log('call after run ms', (performance.now() - t).toFixed(1));
  await kernel.close();
})();
