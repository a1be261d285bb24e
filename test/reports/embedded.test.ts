import { embeddedBackend } from '../support/backends.ts';
import { reportsSuite } from './reports.suite.ts';

reportsSuite(embeddedBackend());
