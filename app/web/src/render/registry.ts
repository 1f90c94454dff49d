import type { ComponentType } from 'react';
import type { Output } from '../api/types';
import type { RenderOutput } from '../plugin-api';

/** The rank a renderer gets when it names none; lower wins (JupyterLab's convention). */
export const DEFAULT_RANK = 100;

interface RendererBase {
  id: string;
  /** Exact MIME types, or a family such as `image/*`. */
  mimeTypes: readonly string[];
  rank: number;
  /** False: this renderer declines the output (e.g. a malformed table) and the next one gets it. */
  canRender?(output: Output): boolean;
}

/** A built-in renderer: a React component. */
export interface ComponentRenderer extends RendererBase {
  kind: 'component';
  component: ComponentType<{ output: Output }>;
}

/** A plugin's renderer: draws into a DOM element the page gives it. */
export interface DomRenderer extends RendererBase {
  kind: 'dom';
  render: RenderOutput;
}

export type OutputRenderer = ComponentRenderer | DomRenderer;

/** The renderer picked for an output; `fallback`: no renderer takes its type, so the text one shows it. */
export interface RendererChoice {
  renderer: OutputRenderer;
  fallback: boolean;
}

const FALLBACK_MIME = 'text/plain';

/**
 * Renderers by MIME type with ranks, after JupyterLab's rendermime: for an output, the renderers
 * that take its type and accept it are ordered by rank (lower first; on a tie the one registered
 * last, so a plugin can replace a built-in at the same rank) and the first wins. No renderer for
 * the type: the text/plain renderer shows it. Listeners hear every change, so outputs drawn
 * before a plugin's module arrived are drawn again with its renderer.
 */
export class RendererRegistry {
  private readonly renderers: OutputRenderer[] = [];
  private readonly listeners = new Set<() => void>();
  private version = 0;

  /** Adds a renderer (replacing one with the same id); returns its removal. */
  register(renderer: OutputRenderer): () => void {
    const existing = this.renderers.findIndex((r) => r.id === renderer.id);
    if (existing >= 0) this.renderers.splice(existing, 1);
    this.renderers.push(renderer);
    this.changed();
    return () => {
      const index = this.renderers.indexOf(renderer);
      if (index < 0) return;
      this.renderers.splice(index, 1);
      this.changed();
    };
  }

  /** Every renderer that would take `output`, best first. */
  candidates(output: Output): OutputRenderer[] {
    return this.renderers
      .map((renderer, order) => ({ renderer, order }))
      .filter(({ renderer }) => renderer.mimeTypes.some((pattern) => mimeMatches(pattern, output.mime_type)) && accepts(renderer, output))
      .sort((a, b) => a.renderer.rank - b.renderer.rank || b.order - a.order)
      .map(({ renderer }) => renderer);
  }

  /** The renderer for `output`, or null when not even a text/plain renderer is registered. */
  resolve(output: Output): RendererChoice | null {
    const best = this.candidates(output)[0];
    if (best) return { renderer: best, fallback: false };
    const text = this.candidates({ mime_type: FALLBACK_MIME, data: asText(output.data) })[0];
    return text ? { renderer: text, fallback: true } : null;
  }

  /** The MIME types some renderer takes (families included, as registered). */
  mimeTypes(): string[] {
    return [...new Set(this.renderers.flatMap((r) => r.mimeTypes))];
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes with every registration: what `useSyncExternalStore` compares. */
  getVersion = (): number => this.version;

  private changed(): void {
    this.version += 1;
    for (const listener of [...this.listeners]) listener();
  }
}

/** `image/*` takes every image type; otherwise the type must be equal (MIME types are case-insensitive). */
export function mimeMatches(pattern: string, mime: string): boolean {
  const p = pattern.toLowerCase();
  const m = mime.toLowerCase();
  if (p === '*/*' || p === '*') return true;
  if (p.endsWith('/*')) return m.startsWith(p.slice(0, -1));
  return p === m;
}

function accepts(renderer: OutputRenderer, output: Output): boolean {
  if (!renderer.canRender) return true;
  try {
    return renderer.canRender(output);
  } catch {
    // A plugin's check that throws declines: the next renderer, not a broken page.
    return false;
  }
}

/** The data of an output as text, for the text/plain fallback: strings as they are, the rest as JSON. */
export function asText(data: Output['data']): string {
  if (typeof data === 'string') return data;
  try {
    return JSON.stringify(data, null, 2) ?? String(data);
  } catch {
    return String(data);
  }
}
