// The browser side of tests/browser: one WebSocket that speaks a
// scalability protocol to an nnpy socket bound on ws://.
// Loaded as peer.html?mode=MODE&port=PORT; everything it sees is appended
// to window.peerLog (and shown on the page) for the test to read.
"use strict";

const params = new URLSearchParams(location.search);
const mode = params.get("mode");
const port = params.get("port");
window.peerLog = [];

function log(line) {
  window.peerLog.push(line);
  document.getElementById("log").textContent += line + "\n";
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

// The subprotocol names the type the server must be: the browser's peer.
const SUBPROTOCOL = {
  pair: "pair.sp.nanomsg.org",
  text: "pair.sp.nanomsg.org",
  req: "rep.sp.nanomsg.org",
  sub: "pub.sp.nanomsg.org",
};

// PAIR, binary frames: say hello, then echo every message with "echo ".
function pair(ws) {
  ws.onopen = () => {
    log("open " + ws.protocol);
    ws.send(utf8.encode("hello from the browser"));
  };
  ws.onmessage = (event) => {
    const body = new Uint8Array(event.data);
    log("binary " + body.length + " " + hex(body.subarray(0, 8)));
    const reply = new Uint8Array(5 + body.length);
    reply.set(utf8.encode("echo "));
    reply.set(body, 5);
    ws.send(reply);
  };
}

// PAIR, text frames: strings both ways.
function text(ws) {
  ws.onopen = () => {
    log("open " + ws.protocol);
    ws.send("héllo ✓ from the browser");
  };
  ws.onmessage = (event) => {
    log(typeof event.data + " " + event.data);
    ws.send("echo " + event.data);
  };
}

// REQ: each request is a 4-byte request id with the top bit set, then the
// body; the reply must carry the same id.
function req(ws) {
  const questions = ["question one", "question two"];
  let pending = null;
  function ask() {
    const body = questions.shift();
    if (body === undefined) {
      log("done");
      return;
    }
    pending = (0x80000000 | Math.floor(Math.random() * 0x7fffffff)) >>> 0;
    const msg = new Uint8Array(4 + body.length);
    new DataView(msg.buffer).setUint32(0, pending);
    msg.set(utf8.encode(body), 4);
    ws.send(msg);
  }
  ws.onopen = () => {
    log("open " + ws.protocol);
    ask();
  };
  ws.onmessage = (event) => {
    const msg = new Uint8Array(event.data);
    const id = new DataView(msg.buffer).getUint32(0);
    const same = id === pending ? "same-id" : "other-id " + id.toString(16);
    log("reply " + same + " " + fromUtf8.decode(msg.subarray(4)));
    ask();
  };
}

// SUB: everything the PUB sends arrives (a SUB filters on its own side).
function sub(ws) {
  ws.onopen = () => log("open " + ws.protocol);
  ws.onmessage = (event) => log("news " + fromUtf8.decode(new Uint8Array(event.data)));
}

document.getElementById("mode").textContent = mode;
document.getElementById("port").textContent = port;
const ws = new WebSocket("ws://127.0.0.1:" + port + "/", SUBPROTOCOL[mode]);
ws.binaryType = "arraybuffer";
ws.onerror = () => log("error");
ws.onclose = (event) => log("close " + event.code);
({ pair, text, req, sub })[mode](ws);
