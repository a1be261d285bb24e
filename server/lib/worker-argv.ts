/**
 * The flags a worker thread of this process starts with: the process's own (type stripping, inspector,
 * profiler), but not those that only make sense for its entry point (`--input-type` of `-e` scripts).
 */
export const workerExecArgv = (): string[] =>
  process.execArgv.filter((flag) => !flag.startsWith('--input-type'));
