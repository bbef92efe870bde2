// Lists assets with their thumbnails from a Gumnut-compatible API (GET /api/assets, then
// <img src=asset_urls.thumbnail.url>). Media URLs are signed, so images need no key.
const form = document.getElementById('connect');
const baseInput = document.getElementById('base-url');
const keyInput = document.getElementById('api-key');
const moreButton = document.getElementById('more');
const statusLine = document.getElementById('status');
const list = document.getElementById('assets');

let lastId = null;

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

/** The API's error body is `{detail: "..."}` or, for 422, `{detail: [{msg, ...}]}`. */
async function errorText(res) {
  try {
    const body = await res.json();
    const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join('; ') : body.detail;
    return `${res.status}: ${detail ?? res.statusText}`;
  } catch {
    return `${res.status}: ${res.statusText}`;
  }
}

function thumbnailOf(asset) {
  return asset.asset_urls?.thumbnail ?? asset.asset_urls?.thumbnail_image ?? null;
}

function render(asset) {
  const item = document.createElement('li');
  const thumb = thumbnailOf(asset);
  if (thumb) {
    const img = document.createElement('img');
    // Loaded in CORS mode, so a page may also draw it on a canvas; the media route allows it.
    img.crossOrigin = 'anonymous';
    img.src = thumb.url;
    img.alt = asset.original_file_name ?? asset.id;
    img.dataset.assetId = asset.id;
    img.loading = 'lazy';
    item.append(img);
  }
  const name = document.createElement('span');
  name.textContent = asset.original_file_name ?? asset.id;
  item.append(name);
  list.append(item);
}

async function loadPage() {
  const base = baseInput.value.trim().replace(/\/+$/, '');
  const url = new URL(`${base}/api/assets`);
  url.searchParams.set('limit', '50');
  if (lastId) url.searchParams.set('starting_after_id', lastId);
  setStatus('Loading…');
  let res;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${keyInput.value.trim()}`, Accept: 'application/json' } });
  } catch (err) {
    setStatus(`Could not reach ${base}: ${err.message} (is the server running, and does EUCALYPT_CORS_ORIGINS allow this page?)`, true);
    return;
  }
  if (!res.ok) {
    setStatus(await errorText(res), true);
    return;
  }
  const page = await res.json();
  for (const asset of page.data) render(asset);
  lastId = page.data.length ? page.data[page.data.length - 1].id : lastId;
  moreButton.hidden = !page.has_more;
  setStatus(`${list.children.length} asset${list.children.length === 1 ? '' : 's'}${page.has_more ? ' (more available)' : ''}`);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  list.replaceChildren();
  lastId = null;
  void loadPage();
});
moreButton.addEventListener('click', () => void loadPage());
