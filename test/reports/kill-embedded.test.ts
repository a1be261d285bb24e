import { embeddedBackend } from '../support/backends.ts';
import { killSuite } from './kill.suite.ts';

killSuite(embeddedBackend());
