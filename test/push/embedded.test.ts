import { embeddedPush, pushSuites } from './push.suite.ts';

pushSuites(embeddedPush());
