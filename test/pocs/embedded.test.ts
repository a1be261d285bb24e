import { embeddedBackend } from './backends.ts';
import { pocsSuite } from './pocs.suite.ts';

pocsSuite(embeddedBackend());
