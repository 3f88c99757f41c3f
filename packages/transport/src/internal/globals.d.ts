// The host globals this package touches; declared here (instead of DOM or @types/node) so the
// package stays runtime-neutral like core.
declare global {
  const console: {
    error(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    log(...data: unknown[]): void;
  };
  function queueMicrotask(callback: () => void): void;
}

export {};
