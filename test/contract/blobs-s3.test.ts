import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../config/index.ts';
import { createS3Blobs, type S3Blobs } from '../../server/adapters/blobs-s3/index.ts';
import { isAppError } from '../../server/lib/errors.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { realService, uniqueName } from '../support/services.ts';
import { blobsContract } from './blobs.contract.ts';

async function emptyAndDrop(blobs: S3Blobs, bucket: string) {
  for (;;) {
    const listed = await blobs.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const objects = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (objects.length === 0) break;
    await blobs.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
  }
  await blobs.client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

const env = realService('s3', 'blobs-s3');
if (env) {
  const s3 = loadConfig(env).s3;
  if (!s3) throw new Error('S3_ENDPOINT did not produce an s3 config');
  const options = (bucket: string) => ({ ...s3, bucket, logger: silentLogger() });
  const bucketName = () => uniqueName('dojo-test').replaceAll('_', '-');

  blobsContract('blobs-s3', async () => {
    const bucket = bucketName();
    const adapter = await createS3Blobs(options(bucket));
    const calls: string[] = [];
    adapter.client.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    return {
      adapter,
      afterLargePut: async (key) => {
        const count = (name: string) => calls.filter((c) => c === name).length;
        assert.is(count('CreateMultipartUploadCommand'), 1, 'the 20 MB object went multipart');
        assert.is(count('UploadPartCommand'), 3, '20 MiB in 8 MiB parts');
        assert.is(count('CompleteMultipartUploadCommand'), 1);
        const head = await adapter.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        assert.is(head.ContentLength, 20 * 1024 * 1024);
      },
      cleanup: async () => {
        await emptyAndDrop(adapter, bucket);
        await adapter.close();
      },
    };
  });

  const s = suite('blobs-s3: bucket creation and outages');

  s('creating the adapter twice on one bucket is fine (already owned)', async () => {
    const bucket = bucketName();
    const first = await createS3Blobs(options(bucket));
    const second = await createS3Blobs(options(bucket));
    try {
      await second.ensureBucket();
      await first.put('x', Buffer.from('x'), { contentType: 'text/plain' });
      const got = await second.get('x');
      assert.is(got?.contentLength, 1);
      got?.body.destroy();
    } finally {
      await emptyAndDrop(first, bucket);
      await Promise.all([first.close(), second.close()]);
    }
  });

  s('an unreachable endpoint is BLOBS.UNAVAILABLE after the retries', async () => {
    const blobs = await createS3Blobs({
      ...options('nowhere'),
      endpoint: 'http://127.0.0.1:1',
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    }).catch((e: unknown) => e);
    assert.ok(isAppError(blobs) && blobs.code === 'BLOBS.UNAVAILABLE' && blobs.retriable, String(blobs));
  });

  s.run();
}
