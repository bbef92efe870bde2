import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { TEST_API_KEY, type TestApp } from './app.js';

export interface UploadFields {
  device_asset_id?: string;
  device_id?: string;
  file_created_at?: string;
  file_modified_at?: string;
  library_id?: string;
  [name: string]: string | undefined;
}

export const DEFAULT_FIELDS = {
  device_asset_id: 'device-asset-1',
  device_id: 'test-device',
  file_created_at: '2024-02-03T04:05:06Z',
  file_modified_at: '2024-02-03T04:05:06Z',
};

/** A multipart/form-data body built by hand, as SDKs send it (fields, then the file part). */
export function multipartBody(fields: Record<string, string | undefined>, file?: { field?: string; filename: string; content: Buffer; contentType?: string }) {
  const boundary = `----eucalypt${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'asset_data'}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function uploadBuffer(t: TestApp, filename: string, content: Buffer, fields: UploadFields = {}): Promise<LightMyRequestResponse> {
  const { payload, contentType } = multipartBody({ ...DEFAULT_FIELDS, ...fields }, { filename, content });
  return t.app.inject({ method: 'POST', url: '/api/assets', payload, headers: { 'content-type': contentType, authorization: `Bearer ${TEST_API_KEY}` } });
}

export function uploadFile(t: TestApp, file: string, fields: UploadFields = {}, filename = path.basename(file)): Promise<LightMyRequestResponse> {
  return uploadBuffer(t, filename, fs.readFileSync(file), fields);
}
