/**
 * The steps of a Python runtime's start, timed for its ready log line (bench/cold-start.js prints them beside the
 * cold start's figure). Wall time: on a loaded machine it includes waiting for a core.
 */
/** Wall time of each step of the start, for the ready line (bench/cold-start.js prints them): "name N ms, …". */
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
