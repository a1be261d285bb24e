import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { forwarded, mediaSections, publishing } from './sdp.ts';

const test = suite('web room: reading the server offer');

const offer = [
  'v=0',
  'o=- 1 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2 3',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=recvonly',
  'a=mid:0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'a=recvonly',
  'a=mid:1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=sendonly',
  'a=mid:2',
  'a=msid:7d3c5a52-0000-4000-8000-000000000001 track-a',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'a=sendonly',
  'a=mid:3',
  'a=msid:7d3c5a52-0000-4000-8000-000000000001 track-v',
  '',
].join('\r\n');

test('each section: mid, kind, direction and the publisher from its msid', () => {
  const sections = mediaSections(offer);
  assert.equal(sections, [
    { mid: '0', kind: 'audio', direction: 'recvonly', streamId: '' },
    { mid: '1', kind: 'video', direction: 'recvonly', streamId: '' },
    { mid: '2', kind: 'audio', direction: 'sendonly', streamId: '7d3c5a52-0000-4000-8000-000000000001' },
    // Port 0: the section was removed (its participant left), whatever its direction says.
    { mid: '3', kind: 'video', direction: 'inactive', streamId: '7d3c5a52-0000-4000-8000-000000000001' },
  ]);
  assert.equal(
    sections.filter(publishing).map((s) => s.mid),
    ['0', '1'],
  );
  assert.equal(
    sections.filter(forwarded).map((s) => s.mid),
    ['2'],
  );
});

test('a stream id of "-" (no stream) counts as none', () => {
  const [section] = mediaSections('v=0\r\nm=audio 9 RTP/AVP 0\r\na=mid:a\r\na=msid:- t1\r\n');
  assert.is(section?.streamId, '');
  assert.is(section?.direction, 'sendrecv');
});

test.run();
