import { suite } from 'uvu';
import { flowSuite } from './flow.suite.ts';
import { hardeningSuite } from './hardening.suite.ts';
import type { Backend } from './harness.ts';
import { inputSuite } from './input.suite.ts';
import { productionSuite } from './production.suite.ts';
import { tokensSuite } from './tokens.suite.ts';

/** Every accounts suite against one backend, then the backend's own cleanup. */
export function accountsSuites(backend: Backend): void {
  flowSuite(backend);
  tokensSuite(backend);
  inputSuite(backend);
  hardeningSuite(backend);
  productionSuite(backend);
  const done = suite(`accounts (${backend.label}): cleanup`);
  done('backend state removed', () => backend.cleanup());
  done.run();
}
