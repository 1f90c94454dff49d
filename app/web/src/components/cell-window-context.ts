import { createContext } from 'react';
import type { CellWindow } from './cell-window';

/** The long notebook's window its cells register with (./cell-window); null for a shorter notebook. */
export const CellWindowContext = createContext<CellWindow | null>(null);
