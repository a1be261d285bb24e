import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Vp8Packetizer } from 'werift';
import { loadClip } from '../../../test/contract/sfu-clip.ts';
import { vp8KeyframeSize } from './vp8.ts';

test('reads the size from the first packet of a real keyframe, and nothing from other packets', async () => {
  const clip = await loadClip();
  const packetizer = new Vp8Packetizer({ payloadType: 96 });
  const key = clip.video.find((f) => f.keyframe)!;
  const delta = clip.video.find((f) => !f.keyframe)!;
  const [first, second] = packetizer.packetize(key.data, 0);
  assert.equal(vp8KeyframeSize(first!.payload), { width: 640, height: 360 });
  assert.is(second && vp8KeyframeSize(second.payload), undefined, 'a continuation packet');
  assert.is(vp8KeyframeSize(packetizer.packetize(delta.data, 3000)[0]!.payload), undefined, 'a delta frame');
  assert.is(vp8KeyframeSize(Buffer.alloc(0)), undefined);
});

test('without the extended descriptor too', () => {
  const frame = Buffer.from([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01]);
  assert.equal(vp8KeyframeSize(frame), { width: 640, height: 360 });
});

test.run();
