/**
 * Gumnut derives an upload's MIME type from its file name extension (§1.8): only image and
 * video types are accepted.
 */
const IMAGE: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', jpe: 'image/jpeg', png: 'image/png', gif: 'image/gif',
  webp: 'image/webp', avif: 'image/avif', heic: 'image/heic', heif: 'image/heif', hif: 'image/heif',
  tif: 'image/tiff', tiff: 'image/tiff', bmp: 'image/bmp', jxl: 'image/jxl', jp2: 'image/jp2',
  psd: 'image/vnd.adobe.photoshop', svg: 'image/svg+xml',
  dng: 'image/x-adobe-dng', cr2: 'image/x-canon-cr2', cr3: 'image/x-canon-cr3', crw: 'image/x-canon-crw',
  nef: 'image/x-nikon-nef', nrw: 'image/x-nikon-nrw', arw: 'image/x-sony-arw', sr2: 'image/x-sony-sr2',
  srf: 'image/x-sony-srf', raf: 'image/x-fuji-raf', orf: 'image/x-olympus-orf', rw2: 'image/x-panasonic-rw2',
  pef: 'image/x-pentax-pef', srw: 'image/x-samsung-srw', '3fr': 'image/x-hasselblad-3fr',
  iiq: 'image/x-phaseone-iiq', erf: 'image/x-epson-erf', kdc: 'image/x-kodak-kdc', mrw: 'image/x-minolta-mrw',
  x3f: 'image/x-sigma-x3f', raw: 'image/x-panasonic-raw', rwl: 'image/x-leica-rwl', insp: 'image/jpeg',
};

const VIDEO: Record<string, string> = {
  mp4: 'video/mp4', m4v: 'video/x-m4v', mov: 'video/quicktime', qt: 'video/quicktime', '3gp': 'video/3gpp',
  '3g2': 'video/3gpp2', avi: 'video/x-msvideo', mkv: 'video/x-matroska', webm: 'video/webm',
  mts: 'video/mp2t', m2ts: 'video/mp2t', ts: 'video/mp2t', mpg: 'video/mpeg', mpeg: 'video/mpeg',
  wmv: 'video/x-ms-wmv', flv: 'video/x-flv', ogv: 'video/ogg', insv: 'video/mp4', mxf: 'application/mxf',
};

export type MediaType = 'image' | 'video';

export function mediaTypeOfFileName(fileName: string): { mimeType: string; mediaType: MediaType } | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return undefined;
  const ext = fileName.slice(dot + 1).toLowerCase();
  if (IMAGE[ext]) return { mimeType: IMAGE[ext], mediaType: 'image' };
  if (VIDEO[ext]) return { mimeType: VIDEO[ext], mediaType: 'video' };
  return undefined;
}
