/// <reference types="vite/client" />

/** The chart libraries' UMD builds as text (aliases in vite.config.mts). */
declare module '@rnb-umd/*' {
  const source: string;
  export default source;
}
