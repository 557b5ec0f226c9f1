// zibri.js — the JavaScript client of the Zibri WebSocket protocol (docs/protocol.md), for
// browsers and Node (pass `WebSocket` where there is no global one). No dependencies.
//
//   import { ZibriClient } from "./zibri.js";
//   const client = new ZibriClient("ws://127.0.0.1:8080/ws", { token });
//   client.on("chat message", (data, frame) => show(data));
//   client.on("status", (status) => console.log(status.state, status.replayed));
//   await client.connect();
//   await client.join("room:lobby");
//   const stored = await client.request("chat message", { room: "lobby", message: "hi" });
//
// What it does for you, like the Swift `ZibriClient`:
// - reconnects after a lost connection, waiting a random time up to a bound that doubles from
//   `initialDelayMs` to `maxDelayMs` ("full jitter"), and at once after a server restart (1012);
// - recovers: it reconnects with its session token and the last `seq` it saw, so the server
//   replays what it missed, in order; a frame whose `seq` it has seen is dropped;
// - when the server cannot recover the session (`recovered: false`), joins again the channels
//   it had joined that the greeting does not list (a durable channel's membership comes back by
//   itself), and says so in its status (`channels`: where the connection is; `dropped`: what a
//   re-check of the join policy ended, not joined again);
// - `request()` sends with an `ack` and resolves with the answer's `data`, or rejects with a
//   `ZibriError` (the server's problem document, or a timeout);
// - answers the server's own requests (`onRequest`) with `ws:ack`.

/** An answer with `ok: false`, a timeout, or a lost connection. */
export class ZibriError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `request failed (${status})`);
    this.name = "ZibriError";
    this.status = status; // the HTTP-style status: 400, 403, 404, 408 (timeout), 503 (disconnected)
    this.problem = problem; // { type, title, status, detail, errors: [{ pointer, code, detail }] }
  }

  /** The validation errors, if any: [{ pointer: "/body/message", code: "minLength", detail: "…" }]. */
  get errors() {
    return this.problem?.errors ?? [];
  }
}

/** Close codes after which reconnecting cannot help. */
const FINAL_CLOSE_CODES = new Set([1007, 1009, 4409]);

export class ZibriClient {
  /**
   * @param {string} url the server's WebSocket URL, e.g. ws://host:8080/ws
   * @param {object} [options]
   * @param {string} [options.token] a JWT, sent as `access_token`
   * @param {typeof WebSocket} [options.WebSocket] the WebSocket class (Node before 22)
   * @param {number} [options.requestTimeoutMs=5000] how long `request()` waits by default
   * @param {number} [options.initialDelayMs=250] the first reconnect bound
   * @param {number} [options.maxDelayMs=10000] the largest reconnect bound
   */
  constructor(url, options = {}) {
    this.url = url;
    this.token = options.token;
    this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.initialDelayMs = options.initialDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 10000;
    /** The session, once connected. */
    this.connectionId = null;
    this.sessionToken = null;
    /** The newest `seq` received (or announced by the greeting). */
    this.lastSeq = 0;
    this.epoch = null; // the epoch of the server's log that lastSeq counts in
    this.handlers = new Map(); // event → Set of handlers
    this.requestHandlers = new Map(); // event → handler answering the server's requests
    this.pending = new Map(); // ack → { resolve, reject, timer }
    this.channels = new Set(); // joined through join(), joined again when a session is lost
    this.nextAck = 1;
    this.attempt = 0;
    this.socket = null;
    this.stopped = false;
    this.reconnectTimer = null;
    this.state = "idle";
  }

  /** Calls `handler(data, frame)` for each server event named `event`; returns an unsubscribe
   * function. Special events: "status" (state changes) and "error" (failures not tied to a
   * request). */
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(handler);
    return () => this.handlers.get(event)?.delete(handler);
  }

  /** Answers the server's requests named `event` with what `handler(data)` returns (or resolves to). */
  onRequest(event, handler) {
    this.requestHandlers.set(event, handler);
  }

  /** Connects; resolves once the server greeted (`ws:connected`). */
  connect() {
    this.stopped = false;
    return new Promise((resolve, reject) => {
      const off = this.on("status", (status) => {
        if (status.state === "open") {
          off();
          resolve(status);
        } else if (status.state === "closed") {
          off();
          reject(new ZibriError(503, { title: "Not connected", detail: status.reason }));
        }
      });
      this.open();
    });
  }

  /** Sends an event without an ack (a failure still comes back, as an "error" event). */
  send(event, body) {
    this.write(body === undefined ? { event } : { event, body });
  }

  /** Sends an event with an ack; resolves with the answer's `data`, rejects with a ZibriError. */
  request(event, body, { timeoutMs = this.requestTimeoutMs } = {}) {
    const ack = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ack);
        reject(new ZibriError(408, { title: "Timeout", detail: `no answer to '${event}' in ${timeoutMs} ms` }));
      }, timeoutMs);
      this.pending.set(ack, { resolve, reject, timer });
      const frame = { event, ack };
      if (body !== undefined) frame.body = body;
      if (!this.write(frame)) {
        clearTimeout(timer);
        this.pending.delete(ack);
        reject(new ZibriError(503, { title: "Not connected", detail: "the connection is not open" }));
      }
    });
  }

  /** Joins a channel (its pattern must allow `clientJoin`); kept across lost sessions. */
  async join(channel) {
    await this.request("ws:join", { channel });
    this.channels.add(channel);
  }

  async leave(channel) {
    this.channels.delete(channel);
    await this.request("ws:leave", { channel });
  }

  /** Closes for good (no reconnect). */
  close() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000);
    this.setStatus({ state: "closed", reason: "closed by the client" });
  }

  // Internals.

  emit(event, ...values) {
    for (const handler of this.handlers.get(event) ?? []) {
      try {
        handler(...values);
      } catch (error) {
        console.error(`zibri: a handler of '${event}' threw`, error);
      }
    }
  }

  setStatus(status) {
    this.state = status.state;
    this.emit("status", status);
  }

  write(frame) {
    if (this.socket?.readyState !== 1) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  open() {
    const url = new URL(this.url);
    if (this.token) url.searchParams.set("access_token", this.token);
    if (this.sessionToken) {
      url.searchParams.set("session", this.sessionToken);
      url.searchParams.set("lastSeq", String(this.lastSeq));
      if (this.epoch) url.searchParams.set("epoch", this.epoch);
    }
    this.setStatus({ state: this.attempt === 0 && !this.sessionToken ? "connecting" : "reconnecting" });
    const socket = new this.WebSocket(url.toString());
    this.socket = socket;
    this.greetedSocket = null;
    socket.onmessage = (message) => this.receive(message.data);
    // A failed handshake may come as an error without a close (Node's WebSocket): the same.
    socket.onerror = () => {
      if (socket.readyState !== 1) socket.onclose({ code: 1006, reason: "the connection failed" });
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      for (const [ack, waiter] of this.pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new ZibriError(503, { title: "Disconnected", detail: "the connection closed before the answer" }));
        this.pending.delete(ack);
      }
      if (this.stopped) return;
      // A refusal (4000 + status) or a close that says "do not come back": stay closed.
      if (FINAL_CLOSE_CODES.has(close.code) || (close.code >= 4400 && close.code < 4500)) {
        this.setStatus({ state: "closed", code: close.code, reason: close.reason || `closed with ${close.code}` });
        return;
      }
      // A server restart (1012) of a connection that was open: come back at once, elsewhere.
      this.scheduleReconnect(close.code === 1012 && this.greetedSocket === socket ? 0 : undefined);
    };
  }

  scheduleReconnect(delayMs) {
    const bound = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.attempt);
    const delay = delayMs ?? Math.random() * bound;
    this.attempt += 1;
    this.setStatus({ state: "reconnecting", inMs: Math.round(delay) });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.event) {
      case "ws:connected":
        return this.greeted(frame.data ?? {});
      case "ws:response":
        return this.answered(frame);
      case "ws:refused":
        return this.emit("error", new ZibriError(frame.status ?? frame.error?.status, frame.error));
    }
    if (frame.requestId !== undefined) return this.answerRequest(frame);
    if (typeof frame.seq === "number") {
      if (frame.seq <= this.lastSeq) return; // seen already (a replay overlapping live traffic)
      this.lastSeq = frame.seq;
    }
    this.emit(frame.event, frame.data, frame);
  }

  greeted(data) {
    const recovered = data.recovered === true;
    this.greetedSocket = this.socket;
    this.attempt = 0;
    this.connectionId = data.connectionId;
    this.sessionToken = data.sessionToken;
    this.epoch = data.epoch ?? null;
    // A fresh session starts at the server's newest seq; a recovered one keeps ours (the replay
    // follows the greeting).
    if (!recovered) this.lastSeq = data.lastSeq ?? 0;
    this.setStatus({
      state: "open",
      recovered,
      replayed: data.replayed ?? 0,
      reason: data.reason,
      connectionId: data.connectionId,
      channels: data.channels ?? [],
      dropped: data.dropped ?? [],
    });
    // The server says which channels the connection is in (the session's, the user's durable
    // ones) and which a re-check of the join policy ended: those are not joined again.
    const inChannels = new Set(data.channels ?? []);
    for (const channel of data.dropped ?? []) this.channels.delete(channel);
    if (!recovered && this.channels.size > 0) {
      for (const channel of this.channels) {
        if (inChannels.has(channel)) continue;
        this.request("ws:join", { channel }).catch((error) => this.emit("error", error));
      }
    }
  }

  answered(frame) {
    if (frame.ack === undefined) {
      // A message sent without an ack failed.
      return this.emit("error", new ZibriError(frame.status, frame.error));
    }
    const waiter = this.pending.get(frame.ack);
    if (!waiter) return;
    this.pending.delete(frame.ack);
    clearTimeout(waiter.timer);
    if (frame.ok) waiter.resolve(frame.data ?? null);
    else waiter.reject(new ZibriError(frame.status, frame.error));
  }

  async answerRequest(frame) {
    const handler = this.requestHandlers.get(frame.event);
    if (!handler) return;
    try {
      const body = await handler(frame.data, frame);
      this.write({ event: "ws:ack", requestId: frame.requestId, body: body ?? null });
    } catch (error) {
      this.emit("error", error);
    }
  }
}
