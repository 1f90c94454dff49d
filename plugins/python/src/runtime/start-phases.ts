/**
 * The steps of a Python runtime's start, timed for its ready log line as "name N ms, …" (bench/cold-start.js prints
 * them beside the cold start's figure). Wall time: on a loaded machine it includes waiting for a core.
 */
export function startPhases(): { end(name: string): void; text(): string } {
  const done: string[] = [];
  let last = performance.now();
  return {
    end(name) {
      const now = performance.now();
      done.push(`${name} ${Math.round(now - last)} ms`);
      last = now;
    },
    text: () => done.join(', '),
  };
}
