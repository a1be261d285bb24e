/** Benchmark flags, shared by every benchmark (bench/run.ts hands each its flags). */

/** `--name value` or `--name=value` (lists need the second form: bench/run.ts takes bare words for names). */
export function option(args: readonly string[], name: string, fallback: string): string {
  const joined = args.find((a) => a.startsWith(`${name}=`));
  if (joined) return joined.slice(name.length + 1);
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? String(args[i + 1]) : fallback;
}

/** `--name <positive number>`; anything else keeps the fallback. */
export function numberOption(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
