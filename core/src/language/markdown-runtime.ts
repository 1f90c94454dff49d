/**
 * The kernel half of markdown cells: text, nothing to run. Type-only imports
 * from core, as every runtime module (it is loaded inside the kernel process).
 */
import type { RuntimeFactory } from '@rnb/core';

const factory: RuntimeFactory = () => ({
  run() {
    // A markdown cell defines and prints nothing: it shows its own text.
  },
  deleteNames() {
    // no state
  },
});
module.exports = factory;
