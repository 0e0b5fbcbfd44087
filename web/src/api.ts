// The one place that talks to the server: every call goes through request(), which adds the key (kept in
// sessionStorage, never in a URL), turns an error answer into an ApiError whose message says what went wrong in words,
// and reports whether the server could be reached (for the reconnecting banner).

const KEY_STORAGE = 'modelhost.key';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'ApiError';
  }
}

export function getKey(): string {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setKey(key: string): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** A readable sentence for an error answer; 401 and 403 say what to do about the key. */
export function describeError(status: number, serverMessage: string | undefined): string {
  const detail = serverMessage ? `: ${serverMessage}` : '';
  switch (status) {
    case 401:
      return `Not signed in (401): this server needs an API key. Paste one in the key box at the top${detail}`;
    case 403:
      return `Not allowed (403): your key's role cannot do this${detail}`;
    case 0:
      return 'The server cannot be reached';
    default:
      return serverMessage ? `${serverMessage} (${status})` : `The server answered ${status}`;
  }
}

type Listener = (online: boolean) => void;
const listeners = new Set<Listener>();
let online = true;

export function onConnectivity(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setOnline(value: boolean) {
  if (online === value) return;
  online = value;
  for (const l of listeners) l(value);
}

export function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  const key = getKey();
  if (key) h['Authorization'] = `Bearer ${key}`;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

export async function request(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(path, {
      ...rest,
      headers: { ...headers(json !== undefined), ...(rest.headers as Record<string, string> | undefined) },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    setOnline(false);
    throw new ApiError(0, describeError(0, undefined));
  }
  setOnline(true);
  if (!response.ok) {
    let message: string | undefined;
    try {
      const body = await response.json();
      message = typeof body?.error === 'string' ? body.error : body?.error?.message;
    } catch {
      message = undefined;
    }
    throw new ApiError(response.status, describeError(response.status, message));
  }
  return response;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request(path, { signal });
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T | null> {
  const response = await request(path, { method: 'POST', json: body });
  const text = await response.text();
  return text ? (JSON.parse(text) as T) : null;
}

/** Checks the server while it is unreachable, so the banner goes away by itself when it is back. */
export async function probe(): Promise<void> {
  try {
    await fetch('/v2/health/live', { cache: 'no-store' });
    setOnline(true);
  } catch {
    setOnline(false);
  }
}

// ---- Types of the public API's answers ----

export interface TensorInfo {
  name: string;
  datatype: string;
  shape: number[];
}

export interface VersionInfo {
  version: string;
  state: string;
  reason: string;
}

export interface ModelInfo {
  name: string;
  state: 'READY' | 'UNAVAILABLE' | 'UNLOADED' | 'LOADING';
  reason: string;
  platform: string;
  default: boolean;
  trainable: boolean;
  versions: VersionInfo[];
  labels: Record<string, number>;
  features: string[];
  class_labels: string[];
  max_batch_size: number | null;
  instances: number;
  dynamic_batching: { max_queue_delay_us: number; preferred_batch_sizes: number[]; max_queue_size: number } | null;
  vision: { default: boolean; labels: string[]; defaults: DetectFeatures } | null;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

export interface DetectFeatures {
  score_th: number;
  nms_iou: number;
  min_height: number;
  min_width: number;
  maxResults: number;
}

export interface ModelList {
  default_model: string | null;
  models: ModelInfo[];
}

export interface Job {
  id: number;
  kind: string;
  queue: string;
  state: string;
  attempts: number;
  max_attempts: number;
  progress: number | null;
  progress_message: string | null;
  error: string | null;
  result: unknown;
  payload: Record<string, unknown> | null;
  depends_on: number[];
  cancel_requested: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export const FINAL_STATES = ['succeeded', 'dead', 'cancelled'];
