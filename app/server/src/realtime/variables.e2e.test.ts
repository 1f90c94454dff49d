/**
 * The variable explorer's push over socket.io: after a run the kernel's
 * names arrive as one `variables` event, joined with the graph (defining
 * cell, readers); a deleted cell's names leave the list at once, in the next
 * event, without another run.
 */
import { StaticTokenAuth, startTestServer, type TestClient, type TestServer } from '../test-support/harness';

const auth = new StaticTokenAuth({ 'ann-token': 'ann' });
const token = 'ann-token';

interface Variable {
  name: string;
  language: string;
  type: string;
  summary: string;
  defined_by: string | null;
  read_by: string[];
  private: boolean;
}

describe('the variables event', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth, kernels: { warmProcesses: 1 } });
  });
  afterAll(() => server.close());

  async function notebookWith(codes: string[]): Promise<{ id: string; cells: string[] }> {
    const id = (await server.request('POST', '/api/notebooks', { token, body: { name: 'variables' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`, { token })).body.cells[0].id as string;
    await server.request('DELETE', `/api/notebooks/${id}/cells/${first}`, { token });
    const cells: string[] = [];
    for (const code of codes) cells.push((await server.request('POST', `/api/notebooks/${id}/cells`, { token, body: { type: 'fake', code } })).body.cell_id);
    return { id, cells };
  }

  const names = (payload: { variables: Variable[] }): string[] => payload.variables.map((v) => v.name).sort();

  it('pushes every name after a run, with its defining cell and readers, and drops a deleted cell’s names at once', async () => {
    const nb = await notebookWith(['alpha = 1', 'beta = alpha + 1', 'gamma = beta + 1']);
    const client: TestClient = server.connect(nb.id, { token });
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: nb.cells[0] });
    const after = await client.waitFor('variables', (p: { variables: Variable[] }) => names(p).join() === 'alpha,beta,gamma');
    const alpha = after.variables.find((v: Variable) => v.name === 'alpha');
    expect(alpha).toMatchObject({ language: 'fake', defined_by: nb.cells[0], read_by: [nb.cells[1]], private: false });
    expect(typeof alpha.summary).toBe('string');
    expect(after.truncated).toBe(false);

    client.clear();
    expect((await server.request('DELETE', `/api/notebooks/${nb.id}/cells/${nb.cells[2]}`, { token })).status).toBe(204);
    const next = await client.waitFor('variables');
    expect(names(next)).toEqual(['alpha', 'beta']);
    // The list that follows from the kernel agrees.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const last = client.named('variables').pop();
    expect(names(last)).toEqual(['alpha', 'beta']);
    expect(last.variables.find((v: Variable) => v.name === 'beta').read_by).toEqual([]);
    client.close();

    // A page that opens now gets the list at once, without a run.
    const late = server.connect(nb.id, { token });
    await late.waitFor('authenticated');
    expect(names(await late.waitFor('variables'))).toEqual(['alpha', 'beta']);
    late.close();
  });

  it('empties the list when the kernel restarts', async () => {
    const nb = await notebookWith(['delta = 4']);
    const client = server.connect(nb.id, { token });
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: nb.cells[0] });
    await client.waitFor('variables', (p: { variables: Variable[] }) => names(p).includes('delta'));
    client.clear();
    client.emit('restart_kernel', {});
    const cleared = await client.waitFor('variables');
    expect(cleared.variables).toEqual([]);
    client.close();
  });
});
