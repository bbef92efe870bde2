import '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { discard, receiveToTempFile, type TempFile } from '../blobs/temp-file.js';
import type { UploadForm } from '../services/asset-upload.js';
import { unprocessable } from './errors.js';
import { NUL_MESSAGE } from './validation.js';

/** The Python SDK sends array fields as `name[]` (§0.2); one spelling is enough here. */
const fieldName = (name: string) => name.replace(/\[\]$/, '');

/** A multipart form once its (single, optional) file part is on disk; every value of each text field, in order. */
export interface ReceivedForm {
  file: TempFile | undefined;
  fileName: string | undefined;
  fileContentType?: string;
  fields: Record<string, string[]>;
}

/**
 * Reads a multipart form in arrival order: the file part streams to a temp file (hashing on the
 * way), text fields are collected, whichever comes first. On failure the temp file is gone.
 */
export async function receiveForm(request: FastifyRequest, tmpDir: string, fileField: string, options: { maxFileBytes?: number } = {}): Promise<ReceivedForm> {
  const form: ReceivedForm = { file: undefined, fileName: undefined, fields: {} };
  const { maxFileBytes } = options;
  // Over the cap, the parser stops keeping bytes (one past the cap tells it happened) and drains the rest.
  const parts = maxFileBytes === undefined ? request.parts() : request.parts({ limits: { fileSize: maxFileBytes + 1 }, throwFileSizeLimit: false } as Parameters<FastifyRequest['parts']>[0]);
  try {
    for await (const part of parts) {
      const name = fieldName(part.fieldname);
      if (part.type === 'file') {
        if (name !== fileField || form.file) {
          part.file.resume();
          throw unprocessable(['body', name], name === fileField ? `Send exactly one ${fileField} file` : `Unexpected file field ${name}`, 'value_error');
        }
        form.fileName = part.filename;
        form.fileContentType = part.mimetype;
        form.file = await receiveToTempFile(part.file, tmpDir);
        if (maxFileBytes !== undefined && (part.file.truncated || form.file.size > maxFileBytes)) {
          throw unprocessable(['body', name], `The file must be at most ${maxFileBytes} bytes`, 'value_error');
        }
      } else if (typeof part.value === 'string') {
        if (part.value.includes('\u0000')) throw unprocessable(['body', name], NUL_MESSAGE, 'value_error');
        (form.fields[name] ??= []).push(part.value);
      }
    }
  } catch (err) {
    await discard(form.file);
    throw err;
  }
  return form;
}

/** An upload form: the last value of a repeated field wins. */
export async function receiveUploadForm(request: FastifyRequest, tmpDir: string, fileField: string, options: { maxFileBytes?: number } = {}): Promise<UploadForm> {
  const form = await receiveForm(request, tmpDir, fileField, options);
  return {
    file: form.file,
    fileName: form.fileName,
    fileContentType: form.fileContentType,
    fields: Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, v[v.length - 1]])),
  };
}
