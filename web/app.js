// A small library viewer over the Gumnut API this server speaks: nothing here is private API.
import { thumbHashToDataURL } from './thumbhash.js';

const $ = (id) => document.getElementById(id);
let key = localStorage.getItem('eucalypt.apiKey') ?? '';
let cursor = null;
let lastDay = '';

function remember(credential) {
  key = credential;
  localStorage.setItem('eucalypt.apiKey', key);
}

/** `path` is relative (`api/assets`): the page's <base> carries the server's public path prefix. */
async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
  // A session token from the identity-provider login is renewed as it ages (sliding refresh).
  const renewed = res.headers.get('x-new-access-token');
  if (renewed) remember(renewed);
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const detail = Array.isArray(body?.detail) ? body.detail.map((d) => `${d.loc?.join('.')}: ${d.msg}`).join('; ') : body?.detail ?? res.statusText;
    throw Object.assign(new Error(detail), { status: res.status });
  }
  return body;
}

function placeholder(hash) {
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(hash), (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}

function tile(asset) {
  const day = asset.local_datetime.slice(0, 10);
  if (day !== lastDay) {
    lastDay = day;
    const h = document.createElement('div');
    h.className = 'day';
    h.textContent = new Date(`${day}T00:00:00`).toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'long', day: 'numeric' });
    $('grid').append(h);
  }
  const b = document.createElement('button');
  b.className = 'tile';
  b.title = asset.original_file_name;
  if (asset.thumbhash) b.style.backgroundImage = `url(${placeholder(asset.thumbhash)})`;
  const rung = asset.asset_urls?.thumbnail ?? asset.asset_urls?.thumbnail_image;
  if (rung) {
    const img = new Image();
    img.loading = 'lazy';
    img.alt = asset.original_file_name;
    img.onload = () => img.classList.add('loaded');
    img.src = rung.url;
    b.append(img);
  }
  if (asset.duration) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = `▶ ${Math.round(asset.duration)} s`;
    b.append(badge);
  }
  b.onclick = () => view(asset.id);
  return b;
}

async function view(id) {
  const asset = await api(`api/assets/${id}?include=variants,metadata`);
  const video = asset.asset_urls.playback;
  $('viewer-video').hidden = !video;
  $('viewer-img').hidden = Boolean(video);
  if (video) $('viewer-video').src = video.url;
  else $('viewer-img').src = asset.asset_urls.preview.url;
  const m = asset.metadata ?? {};
  $('viewer-caption').textContent = [asset.original_file_name, asset.local_datetime, m.display_label, [m.make, m.model].filter(Boolean).join(' ')].filter(Boolean).join(' · ');
  $('viewer').showModal();
}

async function loadPage() {
  const q = new URLSearchParams({ limit: '120' });
  if (cursor) q.set('starting_after_id', cursor);
  const page = await api(`api/assets?${q}`);
  for (const asset of page.data) $('grid').append(tile(asset));
  cursor = page.data.at(-1)?.id ?? cursor;
  $('more').hidden = !page.has_more;
}

async function open() {
  try {
    const [me, libraries] = await Promise.all([api('api/users/me'), api('api/libraries')]);
    $('signin').hidden = true;
    $('signout').hidden = false;
    $('status').textContent = `${libraries.map((l) => `${l.name}: ${l.asset_count} items`).join(' · ')} · ${(me.storage_used_bytes / 1e9).toFixed(2)} GB`;
    $('grid').replaceChildren();
    cursor = null;
    lastDay = '';
    await loadPage();
  } catch (err) {
    $('signin').hidden = false;
    // Without a credential there is nothing to report, but a failed login's reason stays.
    if (key) $('signin-error').textContent = err.message;
  }
}

async function upload(files) {
  let done = 0;
  for (const file of files) {
    $('status').textContent = `Uploading ${done + 1} of ${files.length}: ${file.name}`;
    const form = new FormData();
    form.set('device_asset_id', `${file.name}:${file.size}:${file.lastModified}`);
    form.set('device_id', 'eucalypt-web');
    form.set('file_created_at', new Date(file.lastModified).toISOString());
    form.set('file_modified_at', new Date(file.lastModified).toISOString());
    form.set('asset_data', file, file.name);
    try {
      await api('api/assets', { method: 'POST', body: form });
    } catch (err) {
      alert(`${file.name}: ${err.message}`);
    }
    done++;
  }
  await open();
}

$('signin').onsubmit = (e) => {
  e.preventDefault();
  remember($('key').value.trim());
  open();
};

const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, (c) => ({ '+': '-', '/': '_', '=': '' })[c]);

/** Where the identity provider sends the browser back: this page, without its query. */
const loginReturn = () => new URL('.', document.baseURI).href;

/** Login through the server's OpenID Connect provider, with PKCE (the verifier waits in sessionStorage). */
$('sso').onclick = async () => {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem('eucalypt.pkce', verifier);
  try {
    const q = new URLSearchParams({ redirect_uri: loginReturn(), code_challenge: challenge, code_challenge_method: 'S256' });
    location.assign((await api(`api/oauth/auth-url?${q}`)).url);
  } catch (err) {
    $('signin-error').textContent = err.message;
  }
};

/** Back from the provider with `code` and `state` (or `error`): trade them for a session token. */
async function finishLogin() {
  const q = new URLSearchParams(location.search);
  if (!q.has('state')) return;
  history.replaceState(null, '', loginReturn());
  const body = { state: q.get('state'), code: q.get('code'), error: q.get('error'), code_verifier: sessionStorage.getItem('eucalypt.pkce') };
  sessionStorage.removeItem('eucalypt.pkce');
  try {
    remember((await api('api/oauth/exchange', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).access_token);
  } catch (err) {
    $('signin-error').textContent = err.message;
  }
}
$('signout').onclick = async () => {
  // A session from the identity provider ends there too (its end-session page), an API key here.
  const session = !key.startsWith('apikey_');
  localStorage.removeItem('eucalypt.apiKey');
  key = '';
  const provider = session ? await fetch('api/oauth/logout-endpoint').then((res) => (res.ok ? res.json() : null), () => null) : null;
  if (provider?.logout_endpoint) location.assign(provider.logout_endpoint);
  else location.reload();
};
$('more').querySelector('button').onclick = loadPage;
$('viewer-close').onclick = () => {
  $('viewer-video').pause();
  $('viewer').close();
};
$('files').onchange = (e) => upload([...e.target.files]);
document.ondragover = (e) => {
  e.preventDefault();
  $('drop').hidden = false;
};
document.ondragleave = (e) => {
  if (!e.relatedTarget) $('drop').hidden = true;
};
document.ondrop = (e) => {
  e.preventDefault();
  $('drop').hidden = true;
  upload([...e.dataTransfer.files]);
};
// The login button shows only when the server has an identity provider (its logout endpoint is known).
fetch('api/oauth/logout-endpoint').then((res) => ($('sso').hidden = !res.ok), () => {});
finishLogin().then(open);
