import { CAPABILITY_NAMES, type Capabilities, type CapabilityName } from './capabilities.ts';
import type { ModuleContext, ModuleInstance } from './modules.ts';

type Base = Omit<ModuleContext, CapabilityName | 'optional' | 'history'>;
type History = NonNullable<ModuleInstance['history']>;

/**
 * The context every module of one system shares. Capabilities are filled as modules init, in boot order;
 * reading one before any module provided it is a wiring mistake, reported with the capability's name.
 */
export function createModuleContext(base: Base): {
  readonly ctx: ModuleContext;
  provide(from: string, provided: Partial<Capabilities>): void;
  /** Adds a module's history to what `ctx.history()` walks. */
  addHistory(history: History): void;
  readonly provided: Partial<Capabilities>;
} {
  const histories: History[] = [];
  const provided: Partial<Record<CapabilityName, unknown>> = {};
  const providers = new Map<CapabilityName, string>();
  const ctx = {
    ...base,
    optional: (name: CapabilityName) => provided[name],
    history: async function* () {
      for (const history of histories) yield* history();
    },
  } as Record<string, unknown>;
  for (const name of CAPABILITY_NAMES) {
    Object.defineProperty(ctx, name, {
      enumerable: true,
      get: () => {
        const value = provided[name];
        if (value === undefined) {
          throw new Error(`no module provides "${name}": add the module that does, before this one`);
        }
        return value;
      },
    });
  }
  return {
    ctx: Object.freeze(ctx) as unknown as ModuleContext,
    provided: provided as Partial<Capabilities>,
    addHistory: (history) => void histories.push(history),
    provide: (from, offered) => {
      for (const [name, value] of Object.entries(offered) as [CapabilityName, unknown][]) {
        const earlier = providers.get(name);
        if (earlier) throw new Error(`"${name}" is provided by both ${earlier} and ${from}`);
        providers.set(name, from);
        provided[name] = value;
      }
    },
  };
}
