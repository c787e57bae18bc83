// The page's only door to Encore's HTTP API: JSON in and out, the CSRF header on every change,
// errors as ApiError with the server's code and message (and the fields it names). It tells
// `connectivity` whether the server answered (an answer the service worker took from its cache
// because the network failed carries X-Encore-From-Cache and counts as not reached).
import { connectivity } from "./connectivity.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** "password: too short; username: taken" -> {password: "too short", username: "taken"} */
  get fields() {
    const fields = {};
    for (const part of this.message.split("; ")) {
      const match = /^([a-z_]+): (?:Value error, )?(.*)$/i.exec(part);
      if (match) fields[match[1]] = match[2];
    }
    if (this.code === "username_taken") fields.username = this.message;
    return fields;
  }
}

let sessionEndedListener = () => {};

/** `listener` whenever an answer says this browser's session is gone: ended on another device
 *  (a new password, "sign out everywhere"), expired, or its account deleted elsewhere. */
export function onSessionEnded(listener) {
  sessionEndedListener = listener;
}

/** Said by any request that got the server's "not signed in" (api below, the outbox's sends). */
export function sessionEnded() {
  sessionEndedListener();
}

export async function api(path, { method = "GET", body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-Requested-With"] = "encore";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    connectivity.unreachable();
    throw new ApiError(0, "offline", navigator.onLine ? "Encore's server can't be reached." : "You're offline.");
  }
  const gateway = response.status === 502 || response.status === 504; // a proxy with no server
  if (gateway || response.headers.get("X-Encore-From-Cache")) connectivity.unreachable();
  else connectivity.reached();
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error ?? {};
    if (response.status === 401 && error.code === "not_signed_in") sessionEnded();
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? `HTTP ${response.status}`);
  }
  return data;
}
