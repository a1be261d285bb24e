import { embeddedBackend } from './harness.ts';
import { accountsSuites } from './accounts.suite.ts';

accountsSuites(embeddedBackend());
