/**
 * The server half: a markdown cell defines nothing and reads every `{name}` outside code and math. Pure and fast;
 * core loads this module in its analysis workers as well.
 */
import type { Analysis } from '@rnb/core';
import { parseTemplate, referencedNames, TemplateSyntaxError } from './template';

export function analyseMarkdown(code: string): Analysis {
  try {
    return { defines: [], references: referencedNames(parseTemplate(code)) };
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return { defines: [], references: [], error: { message: error.message, line: error.line, column: error.column } };
    throw error;
  }
}
