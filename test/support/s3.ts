import fsp from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
// s3rver ships no types; its constructor options and run()/close() are all the tests use.
// @ts-expect-error untyped CommonJS package
import S3rver from 's3rver';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Settings that point Eucalypt at this server. */
  env: Record<string, string>;
  /** Every object key in the bucket. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A real S3 API (s3rver, files in a temp folder) on a free local port, with one bucket. */
export async function startS3(bucket = 'eucalypt-test'): Promise<TestS3> {
  const directory = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: CREDENTIALS });
  return {
    endpoint,
    bucket,
    env: { EUCALYPT_S3_BUCKET: bucket, EUCALYPT_S3_ENDPOINT: endpoint, EUCALYPT_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, EUCALYPT_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
    async keys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async close() {
      client.destroy();
      await server.close();
      await fsp.rm(directory, { recursive: true, force: true });
    },
  };
}
