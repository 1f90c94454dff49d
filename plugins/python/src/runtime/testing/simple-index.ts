import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWheel } from './make-wheel';

/** A PyPI "simple" index on loopback serving the given wheels: this machine cannot download real ones. */
export interface SimpleIndex {
  /** `http://127.0.0.1:<port>/simple/`: what PYODIDE_PYPI_INDEX_URL (or the plugin's `pypiIndexUrl`) takes. */
  url: string;
  /** Every path asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `/simple/<project>/` (links with their sha256) and `/files/<wheel>`; everything else is 404. */
export async function serveSimpleIndex(wheels: readonly TestWheel[]): Promise<SimpleIndex> {
  const requests: string[] = [];
  const project = (wheel: TestWheel): string => wheel.fileName.split('-')[0]!.toLowerCase().replace(/[_.]+/g, '-');
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const listed = wheels.filter((wheel) => req.url === `/simple/${project(wheel)}/`);
    if (listed.length > 0) {
      const links = listed.map((wheel) => `<a href="/files/${wheel.fileName}#sha256=${wheel.sha256}">${wheel.fileName}</a>`).join('\n');
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(links);
    }
    const file = wheels.find((wheel) => req.url === `/files/${wheel.fileName}`);
    if (file) return void res.writeHead(200).end(file.bytes);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
