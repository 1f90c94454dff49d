/** How the kernel worker words a failure: for a cell's error, a log line or a runtime call's answer. */

/** A failure's message: the error's name and message (`NameError: ...`), the name once when the message has it already. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; name?: unknown };
    if (typeof e.message !== 'string') return String(error);
    const named = typeof e.name === 'string' && e.name !== 'Error' && !e.message.startsWith(`${e.name}:`);
    return named ? `${e.name}: ${e.message}` : e.message;
  }
  return String(error);
}

/** Everything a failure says, for logs and runtime calls: its traceback (which names it), else its message. */
export function errorText(error: unknown): string {
  return errorTraceback(error) ?? errorMessage(error);
}

/** Where it happened, when the runtime reports it apart from the message (a Python traceback). */
export function errorTraceback(error: unknown): string | undefined {
  const traceback = error && typeof error === 'object' ? (error as { traceback?: unknown }).traceback : undefined;
  return typeof traceback === 'string' && traceback.length > 0 ? traceback : undefined;
}
