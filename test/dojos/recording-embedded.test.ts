import { embeddedBackend } from '../support/backends.ts';
import { recordingSuite } from './recording.suite.ts';

recordingSuite(embeddedBackend());
