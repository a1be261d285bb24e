import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../../config/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { createWeriftSfu } from './index.ts';
import { peerConfig } from './peer-config.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((i) => i.variable);
  }
};

test('media defaults: host candidates only, no port range, no ICE servers', () => {
  const { media } = loadConfig({});
  assert.equal(media, { announcedAddress: undefined, portRange: undefined, iceServers: [] });
  const config = peerConfig(media);
  assert.is(config.iceAdditionalHostAddresses, undefined);
  assert.is(config.icePortRange, undefined);
  assert.equal(config.iceServers, []);
});

test('MEDIA_* and ICE_SERVERS become the peer connections’ ICE settings and the clients’ servers', () => {
  const { media } = loadConfig({
    MEDIA_ANNOUNCED_ADDRESS: '203.0.113.7',
    MEDIA_PORT_MIN: '40000',
    MEDIA_PORT_MAX: '40100',
    ICE_SERVERS:
      '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:turn.example.org"],"username":"u","credential":"p"}]',
  });
  assert.equal(media.portRange, [40000, 40100]);
  const config = peerConfig(media);
  assert.equal(config.iceAdditionalHostAddresses, ['203.0.113.7']);
  assert.equal(config.icePortRange, [40000, 40100]);
  assert.equal(config.iceServers?.[1], { urls: ['turn:turn.example.org'], username: 'u', credential: 'p' });
  const sfu = createWeriftSfu({ ...media, logger: silentLogger() });
  assert.equal(sfu.iceServers(), media.iceServers);
});

test('bad media variables are named', () => {
  assert.equal(problems({ MEDIA_ANNOUNCED_ADDRESS: 'media.example.org' }), ['MEDIA_ANNOUNCED_ADDRESS']);
  assert.equal(problems({ MEDIA_PORT_MIN: '40000' }), ['MEDIA_PORT_MAX']);
  assert.equal(problems({ MEDIA_PORT_MIN: '40000', MEDIA_PORT_MAX: '40000' }), ['MEDIA_PORT_MAX']);
  assert.equal(problems({ MEDIA_PORT_MIN: '80', MEDIA_PORT_MAX: '90' }), [
    'MEDIA_PORT_MIN',
    'MEDIA_PORT_MAX',
  ]);
  assert.equal(problems({ ICE_SERVERS: 'stun:x' }), ['ICE_SERVERS']);
  assert.equal(problems({ ICE_SERVERS: '[{"urls":"http://x"}]' }), ['ICE_SERVERS']);
});

test('restricting host addresses gathers on those alone', () => {
  const config = peerConfig({ hostAddresses: ['127.0.0.1'] });
  assert.equal(config.iceAdditionalHostAddresses, ['127.0.0.1']);
  assert.is(config.iceUseIpv4, false);
  assert.is(config.iceUseIpv6, false);
});

test.run();
