import { Annotation } from '@codemirror/state';

/** Marks a transaction that applies the host's code, so it is not saved back as a user edit. */
export const remoteEdit = Annotation.define<boolean>();
