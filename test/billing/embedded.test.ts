import { embeddedBackend } from '../support/backends.ts';
import { crashSuite } from './crash.suite.ts';
import { lifecycleSuite } from './lifecycle.suite.ts';
import { paymentsSuite } from './payments.suite.ts';

paymentsSuite(embeddedBackend());
lifecycleSuite(embeddedBackend());
crashSuite(embeddedBackend());
