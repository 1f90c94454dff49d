/**
 * Presence: the host relays y-protocols awareness updates between a
 * notebook's clients without keeping their states. It only reads which
 * clients (Yjs client ids) an update speaks for and their clocks, so that
 * when a socket goes away its people can be announced gone (state null)
 * to the others at once instead of after y-protocols' 30 s timeout.
 *
 * Awareness update layout (y-protocols): varuint count, then per client
 * varuint clientID, varuint clock, varstring JSON state.
 */
export class AwarenessClients {
  private readonly clocks = new Map<number, number>();
  /** At most this many client ids per socket (a page has one; a flood cannot grow the map). */
  private static readonly MAX_CLIENTS = 16;

  /** Notes the clients an update carries; false when the bytes are not an awareness update. */
  note(update: Uint8Array): boolean {
    const entries = readAwarenessEntries(update);
    if (!entries) return false;
    for (const { clientId, clock, removed } of entries) {
      if (removed) this.clocks.delete(clientId);
      else if (this.clocks.has(clientId) || this.clocks.size < AwarenessClients.MAX_CLIENTS) this.clocks.set(clientId, clock);
    }
    return true;
  }

  /** An update saying every noted client left; null when there is none. */
  departure(): Uint8Array | null {
    if (this.clocks.size === 0) return null;
    const out: number[] = [];
    writeVarUint(out, this.clocks.size);
    for (const [clientId, clock] of this.clocks) {
      writeVarUint(out, clientId);
      writeVarUint(out, clock + 1);
      writeVarUint(out, 4);
      out.push(0x6e, 0x75, 0x6c, 0x6c); // "null"
    }
    this.clocks.clear();
    return Uint8Array.from(out);
  }
}

interface AwarenessEntry {
  clientId: number;
  clock: number;
  removed: boolean;
}

export function readAwarenessEntries(update: Uint8Array): AwarenessEntry[] | null {
  const reader = { pos: 0 };
  const count = readVarUint(update, reader);
  if (count === null || count > 1000) return null;
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = readVarUint(update, reader);
    const clock = readVarUint(update, reader);
    const length = readVarUint(update, reader);
    if (clientId === null || clock === null || length === null || reader.pos + length > update.length) return null;
    const state = Buffer.from(update.subarray(reader.pos, reader.pos + length)).toString('utf8');
    reader.pos += length;
    entries.push({ clientId, clock, removed: state === 'null' });
  }
  return reader.pos === update.length ? entries : null;
}

function readVarUint(bytes: Uint8Array, reader: { pos: number }): number | null {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 8; i++) {
    if (reader.pos >= bytes.length) return null;
    const byte = bytes[reader.pos++]!;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return value;
    multiplier *= 128;
  }
  return null;
}

function writeVarUint(out: number[], value: number): void {
  let rest = value;
  while (rest > 0x7f) {
    out.push(0x80 | (rest % 128));
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}
