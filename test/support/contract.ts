import { suite } from 'uvu';

/**
 * The frame every port's contract suite shares: the adapter is made once before the tests and cleaned up
 * after them; `made(ctx)` hands it to a test.
 */
export function contractSuite<M extends { cleanup(): Promise<void> }>(title: string, make: () => Promise<M>) {
  const s = suite<{ made?: M }>(title, {});
  s.before(async (ctx) => {
    ctx.made = await make();
  });
  s.after(async (ctx) => {
    await ctx.made?.cleanup();
  });
  const made = (ctx: { made?: M }): M => {
    if (!ctx.made) throw new Error('adapter not made');
    return ctx.made;
  };
  return { s, made };
}
