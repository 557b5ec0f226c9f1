// The JavaScript client against the real chat server (a child process on a free port and a
// fresh SQLite file). Run: node --experimental-websocket --test clients/javascript/zibri.test.mjs
// with CHAT_BINARY naming the built chat executable (.build/debug/chat by default).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZibriClient, ZibriError } from "./zibri.js";

const binary = process.env.CHAT_BINARY ?? ".build/debug/chat";
let server;
let url;
let directory;
const secret = "zibri-js-test-secret-of-at-least-32-bytes";

/** An HS256 token for `user`, signed with the server's secret. */
function token(user) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub: user, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

before(async () => {
  directory = mkdtempSync(join(tmpdir(), "zibri-js-"));
  const port = await freePort();
  server = spawn(binary, [], {
    env: {
      ...process.env,
      ZIBRI_PORT: String(port),
      ZIBRI_STORAGE_URL: `sqlite:${join(directory, "chat.sqlite")}`,
      CHAT_JWT_SECRET: secret,
    },
    stdio: "ignore",
  });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/rooms`)).ok) break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  url = `ws://127.0.0.1:${port}/ws`;
});

after(() => {
  server?.kill("SIGTERM");
  rmSync(directory, { recursive: true, force: true });
});

/** The next `count` events named `event` a client gets. */
function collect(client, event, count) {
  const seen = [];
  return new Promise((resolve) => {
    const off = client.on(event, (data, frame) => {
      seen.push(frame);
      if (seen.length === count) {
        off();
        resolve(seen);
      }
    });
  });
}

function nextStatus(client, predicate) {
  return new Promise((resolve) => {
    const off = client.on("status", (status) => {
      if (predicate(status)) {
        off();
        resolve(status);
      }
    });
  });
}

test("a message said in a room reaches its members, and the sender's request resolves with it", async () => {
  const alice = new ZibriClient(url);
  const bob = new ZibriClient(url);
  await Promise.all([alice.connect(), bob.connect()]);
  await Promise.all([alice.join("room:lobby"), bob.join("room:lobby")]);
  const heard = collect(bob, "chat message", 1);
  const stored = await alice.request("chat message", { room: "lobby", message: "hi bob" });
  assert.equal(stored.message, "hi bob");
  assert.equal(stored.author, "guest");
  const [frame] = await heard;
  assert.equal(frame.data.message, "hi bob");
  assert.equal(frame.channel, "room:lobby");
  assert.equal(typeof frame.seq, "number");
  alice.close();
  bob.close();
});

test("failures reject with the server's problem: validation (with pointers) and policy", async () => {
  const client = new ZibriClient(url);
  await client.connect();
  await client.join("room:lobby");
  await assert.rejects(client.request("chat message", { room: "lobby", message: "" }), (error) => {
    assert.ok(error instanceof ZibriError);
    assert.equal(error.status, 400);
    assert.equal(error.errors[0].pointer, "/body/message");
    return true;
  });
  await assert.rejects(client.request("chat message", { room: "help", message: "not a member" }), (error) => {
    assert.equal(error.status, 403);
    return true;
  });
  await assert.rejects(client.request("no such event", {}), (error) => error.status === 404);
  client.close();
  // A request whose frame is lost on the way times out (the answer can never come first).
  const lossy = new ZibriClient(url);
  await lossy.connect();
  lossy.socket.send = () => {};
  await assert.rejects(lossy.request("chat message", { room: "lobby", message: "x" }, { timeoutMs: 50 }), (error) => {
    assert.equal(error.status, 408);
    return true;
  });
  lossy.close();
});

test("a client that loses its connection reconnects, recovers what it missed in order, once each", async () => {
  const speaker = new ZibriClient(url);
  const listener = new ZibriClient(url, { initialDelayMs: 200, maxDelayMs: 400 });
  await Promise.all([speaker.connect(), listener.connect()]);
  await Promise.all([speaker.join("room:random"), listener.join("room:random")]);
  const connectionId = listener.connectionId;
  // The connection drops (as a network would), then three messages are said while it is away.
  const recovered = nextStatus(listener, (status) => status.state === "open");
  const missed = collect(listener, "chat message", 3);
  listener.socket.close(4000);
  for (const message of ["one", "two", "three"]) {
    await speaker.request("chat message", { room: "random", message });
  }
  const status = await recovered;
  assert.equal(status.recovered, true);
  assert.equal(listener.connectionId, connectionId);
  const frames = await missed;
  assert.deepEqual(
    frames.map((frame) => frame.data.message),
    ["one", "two", "three"],
  );
  const seqs = frames.map((frame) => frame.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  // Live traffic follows, and a frame seen twice is dropped.
  const live = collect(listener, "chat message", 1);
  await speaker.request("chat message", { room: "random", message: "four" });
  assert.equal((await live)[0].data.message, "four");
  listener.receive(JSON.stringify(frames[0])); // a duplicate: not delivered
  const after = collect(listener, "chat message", 1);
  await speaker.request("chat message", { room: "random", message: "five" });
  assert.equal((await after)[0].data.message, "five");
  speaker.close();
  listener.close();
});

test("a signed-in user's rooms are on every connection of the user: a second tab is in them at once", async () => {
  const first = new ZibriClient(url, { token: token("ada") });
  await first.connect();
  await first.join("room:durable");
  const second = new ZibriClient(url, { token: token("ada") });
  const opened = nextStatus(second, (status) => status.state === "open");
  await second.connect();
  assert.deepEqual((await opened).channels, ["room:durable"]);
  const heard = collect(second, "chat message", 1);
  await first.request("chat message", { room: "durable", message: "to every tab" });
  assert.equal((await heard)[0].data.message, "to every tab");
  await first.leave("room:durable");
  first.close();
  second.close();
});
