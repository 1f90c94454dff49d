/**
 * The Python language on native CPython (PYTHON_RUNTIME=native): the same
 * analyser, a different runtime module, and the sandbox planned here in the
 * server.
 */
import * as path from 'node:path';
import type { LanguageDefinition } from '@rnb/core';
import { PYTHON_LANGUAGE } from '../language-base';
import { DEFAULT_NATIVE_LIMITS, planNativeSandbox, type InterpreterInfo, type NativeLimits } from './sandbox-plan';

const PACKAGE_ROOT = path.resolve(__dirname, '../..');
/** The runtime module the kernel loads (always the built JavaScript). */
export const NATIVE_RUNTIME_MODULE = path.join(PACKAGE_ROOT, 'dist', 'runtime', 'native-runtime.js');
/** The CPython side, bound read-only into each sandbox. */
export const NATIVE_DRIVER = path.join(PACKAGE_ROOT, 'python', 'native_driver.py');

export interface NativePythonOptions {
  /** `python3` on PATH, or a path (a virtualenv's interpreter: its folders become readable in the sandbox). */
  executable: string;
  /** Multi-user mode (auth on): without bubblewrap the runtime refuses to start unless `allowUnsandboxed`. */
  multiUser: boolean;
  allowUnsandboxed: boolean;
  memoryMb: number;
  maxProcesses: number;
  tmpMb: number;
}

export interface NativePythonLanguage {
  definition: LanguageDefinition;
  missing: string[];
  interpreter: InterpreterInfo;
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a positive whole number, not "${value}"`);
  return number;
}

/** The native runtime's settings from the host's configuration. */
export function readNativeSettings(config: Readonly<Record<string, string | undefined>>): NativePythonOptions {
  return {
    executable: config.PYTHON_EXECUTABLE || 'python3',
    multiUser: (config.NOTEBOOK_AUTH ?? 'none') !== 'none',
    allowUnsandboxed: config.PYTHON_NATIVE_UNSANDBOXED === '1',
    memoryMb: positive(config.PYTHON_NATIVE_MEMORY_MB, 'PYTHON_NATIVE_MEMORY_MB', DEFAULT_NATIVE_LIMITS.address_space_bytes / 1024 / 1024),
    maxProcesses: positive(config.PYTHON_NATIVE_MAX_PROCESSES, 'PYTHON_NATIVE_MAX_PROCESSES', DEFAULT_NATIVE_LIMITS.processes),
    tmpMb: positive(config.PYTHON_NATIVE_TMP_MB, 'PYTHON_NATIVE_TMP_MB', 256),
  };
}

export function nativePythonLanguage(options: Partial<NativePythonOptions> = {}): NativePythonLanguage {
  const settings = { ...readNativeSettings({}), ...options };
  const limits: NativeLimits = {
    ...DEFAULT_NATIVE_LIMITS,
    address_space_bytes: settings.memoryMb * 1024 * 1024,
    processes: settings.maxProcesses,
  };
  const plan = planNativeSandbox({
    executable: settings.executable,
    multiUser: settings.multiUser,
    allowUnsandboxed: settings.allowUnsandboxed,
    tmpBytes: settings.tmpMb * 1024 * 1024,
    limits,
    driverPath: NATIVE_DRIVER,
  });
  const definition: LanguageDefinition = {
    ...PYTHON_LANGUAGE,
    runtime: {
      module: NATIVE_RUNTIME_MODULE,
      readPaths: [path.dirname(NATIVE_RUNTIME_MODULE), path.dirname(NATIVE_DRIVER)],
      options: { argv: plan.argv, startTimeoutMs: 30_000 },
      allowChildProcesses: true,
    },
    // The packages setting is declared (PYTHON_LANGUAGE) so the list shows unmasked and travels; this runtime installs
    // nothing (its interpreter's packages are what it has).
  };
  return { definition, missing: plan.missing, interpreter: plan.interpreter };
}
