#!/usr/bin/env python3
"""A minimal extension host in Python (standard library only) with its extwire host driver over
--host-cmd: tagged JSON lines on stdio (docs/host-driver.md). The host loads extensions, answers
their workers' requests (permission, then payload schema, then an in-memory backend), runs tools,
actions, chats and model requests, and unloads. It takes an injected clock, which the driver moves
on `advanceClock`. No background tasks and no network backend: see README.md for what it passes.

    npx extwire conformance --host-cmd "python3 examples/python-host/host.py" \
        --filter 'host/handshake/**' --filter 'host/requests/**' --filter 'host/inbound/**'
"""
import json
import os
import sys
import urllib.parse

from schema_check import errors, load

GATES = {"settings.getAll": "settings.register", "settings.get": "settings.register", "settings.set": "settings.register",
         "user.getProfile": "user.profile.read", "events.emit": "events.emit", "scheduler.schedule": "scheduler.register",
         "scheduler.cancel": "scheduler.register", "chat.appendInstruction": "chat.message.write",
         "database.execute": "database.own", "network.fetch": None, "network.fetch-stream": None}
GATES.update({"storage." + m: "storage.local" for m in ("get", "set", "delete", "keys", "getForUser", "setForUser", "deleteForUser", "keysForUser")})
REGISTER = {"tool-registered": ("tool", "tools.register"), "action-registered": ("action", "actions.register"),
            "provider-registered": ("provider", "provider.register")}
ANSWERS = {"tool-execute-response": "tool", "action-execute-response": "action", "provider-models-response": "models", "stream-event": "chat"}
STORAGE_ROOT = os.path.join(os.path.expanduser("~"), ".python-host", "extensions")


class Clock:
    """A virtual clock: timers run only when advance() moves time past them."""
    def __init__(self):
        self.now, self.timers, self.count = 0, [], 0

    def set(self, ms, fn):
        self.count += 1
        timer = [self.now + ms, self.count, fn]
        self.timers.append(timer)
        return timer

    def clear(self, timer):
        if timer in self.timers:
            self.timers.remove(timer)

    def advance(self, ms):
        end = self.now + ms
        while any(t[0] <= end for t in self.timers):
            timer = min(t for t in self.timers if t[0] <= end)
            self.timers.remove(timer)
            self.now = timer[0]
            timer[2]()
        self.now = end


def url_allowed(permissions, url):
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        return False
    host = "[%s]" % parts.hostname if ":" in parts.hostname else parts.hostname
    port = port or (443 if parts.scheme in ("https", "wss") else 80)
    names = [host] + (["localhost"] if host in ("localhost", "127.0.0.1", "[::1]") else [])
    return any(p == "network:*" or p in ["network:" + n for n in names] + ["network:%s:%d" % (n, port) for n in names] for p in permissions)


class Host:
    def __init__(self, send, close, emit, clock):
        self.send, self.close, self.emit, self.clock = send, close, emit, clock
        self.exts, self.conns, self.storage, self.next_id = {}, {}, {}, 0

    def new_id(self, prefix):
        self.next_id += 1
        return "%s-%d" % (prefix, self.next_id)

    # -- the application API: every call ends in done(ok, value or error text) exactly once --------
    def load(self, manifest, worker, done):
        if manifest["id"] in self.exts or worker in self.conns:
            return done(False, "extension %s is already loaded" % manifest["id"])
        ext = {"id": manifest["id"], "version": manifest["version"], "worker": worker, "state": "loading",
               "permissions": list(manifest.get("permissions") or []), "settings": dict(manifest.get("settings") or {}),
               "storagePath": manifest.get("storagePath") or os.path.join(STORAGE_ROOT, manifest["id"]),
               "tool": set(), "action": set(), "provider": set(), "pending": {}, "done": done, "timer": None}
        self.exts[ext["id"]], self.conns[worker] = ext, ext
        ext["timer"] = self.clock.set(10000, lambda: self.lost(ext, "did not send ready within 10000 ms", close=True))

    def call(self, ext_id, kind, target, message_type, payload, timeout_ms, done):
        ext = self.exts.get(ext_id)
        if ext is None or ext["state"] != "active":
            return done(False, "extension %s is not active" % ext_id)
        if target not in ext[kind if kind in ("tool", "action") else "provider"]:
            return done(False, "extension %s has no %s %s" % (ext_id, kind, target))
        request_id = self.new_id(kind)
        timer = None if timeout_ms is None else self.clock.set(timeout_ms, lambda: self.settle(ext, request_id, False, "%s call %s of extension %s timed out" % (kind, request_id, ext_id)))
        ext["pending"][request_id] = {"kind": kind, "done": done, "timer": timer, "events": []}
        self.send(ext["worker"], {"type": message_type, "id": request_id, "payload": payload})

    def notify(self, ext_id, message_type, payload, done):
        ext = self.exts.get(ext_id)
        if ext is None or ext["state"] != "active":
            return done(False, "extension %s is not active" % ext_id)
        if message_type == "settings-changed":
            ext["settings"][payload["key"]] = payload.get("value")
        self.send(ext["worker"], {"type": message_type, "id": self.new_id("msg"), "payload": payload})
        done(True, None)

    def unload(self, ext_id, done):
        ext = self.exts.get(ext_id)
        if ext is None or ext["state"] in ("loading", "unloading"):
            return done(False, "extension %s is not loaded" % ext_id)
        ext["state"], ext["done"] = "unloading", done
        self.send(ext["worker"], {"type": "deactivate", "id": self.new_id("deactivate")})
        self.settle_all(ext, "extension %s was unloaded" % ext_id)
        ext["timer"] = self.clock.set(1000, lambda: self.finish(ext, close=True))

    # -- endings ---------------------------------------------------------------------------------
    def settle(self, ext, request_id, ok, value):
        call = ext["pending"].pop(request_id, None)
        if call is not None:
            self.clock.clear(call["timer"])
            call["done"](ok, value)

    def settle_all(self, ext, error):
        for request_id in list(ext["pending"]):
            self.settle(ext, request_id, False, error)

    def finish(self, ext, close):
        """The unload completed (the worker closed, or the grace period ended): no error."""
        self.clock.clear(ext["timer"])
        self.exts.pop(ext["id"], None), self.conns.pop(ext["worker"], None)
        if close:
            self.close(ext["worker"])
        self.emit({"type": "extension-unloaded", "extensionId": ext["id"]})
        ext["done"](True, None)

    def lost(self, ext, why, close=False):
        """The worker went away unasked, or never became ready: one error event, then unloaded."""
        self.clock.clear(ext["timer"])
        self.exts.pop(ext["id"], None), self.conns.pop(ext["worker"], None)
        if close:
            self.close(ext["worker"])
        self.emit({"type": "extension-error", "extensionId": ext["id"], "error": "extension %s: %s" % (ext["id"], why)})
        self.settle_all(ext, "extension %s: %s" % (ext["id"], why))
        if ext["state"] == "loading":
            ext["done"](False, "extension %s: %s" % (ext["id"], why))
        else:
            self.emit({"type": "extension-unloaded", "extensionId": ext["id"]})

    def closed(self, worker):
        ext = self.conns.get(worker)
        if ext is not None:
            self.finish(ext, close=False) if ext["state"] == "unloading" else self.lost(ext, "the worker went away")

    # -- the worker's messages -------------------------------------------------------------------
    def receive(self, worker, message):
        ext = self.conns.get(worker)
        if ext is None:
            return  # no extension on this connection (EXT-HOST-013)
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "request":
            return self.request(ext, message)
        schema = load("messages/%s.json" % kind) if isinstance(kind, str) and "/" not in kind else None
        problems = errors(schema, message) if schema is not None else [("/type", "unknown message type %s" % json.dumps(kind))]
        if problems:
            return self.emit({"type": "invalid-message", "extensionId": ext["id"], "messageType": kind, "errors": ["%s: %s" % p for p in problems]})
        payload = message.get("payload", {})
        if kind == "ready" and ext["state"] == "loading":
            self.clock.clear(ext["timer"])
            ext["state"] = "active"
            self.send(worker, {"type": "activate", "id": self.new_id("activate"), "payload": {
                "extensionId": ext["id"], "extensionVersion": ext["version"], "storagePath": ext["storagePath"],
                "permissions": ext["permissions"], "settings": ext["settings"]}})
            self.emit({"type": "extension-loaded", "extensionId": ext["id"]})
            ext["done"](True, {"extensionId": ext["id"], "state": "active"})
        elif kind == "log" and payload["level"] == "error" and payload["message"].startswith("Failed to activate extension") and ext["state"] == "active":
            ext["state"] = "failed"
            self.settle_all(ext, "extension %s failed to activate" % ext["id"])
            self.emit({"type": "extension-error", "extensionId": ext["id"], "error": payload["message"]})
        elif kind in REGISTER and ext["state"] == "active":
            what, permission = REGISTER[kind]
            if permission not in ext["permissions"]:
                return self.emit({"type": "registration-refused", "extensionId": ext["id"], "kind": what, "id": payload["id"], "permission": permission})
            ext[what].add(payload["id"])
            self.emit({"type": kind, "extensionId": ext["id"], "id": payload["id"]})
        elif kind in ANSWERS and ext["pending"].get(payload["requestId"], {}).get("kind") == ANSWERS[kind]:
            request_id, call = payload["requestId"], ext["pending"][payload["requestId"]]
            if kind == "stream-event":
                call["events"].append(payload["event"])
                if payload["event"]["type"] in ("done", "error"):
                    error = payload["event"].get("message")
                    self.settle(ext, request_id, error is None, call["events"] if error is None else error)
            elif "error" in payload:
                self.settle(ext, request_id, False, payload["error"])
            else:
                self.settle(ext, request_id, True, payload["models" if kind == "provider-models-response" else "result"])

    def respond(self, ext, request_id, error=None, data=None, has_data=False):
        answer = {"requestId": request_id, "success": error is None}
        if error is not None:
            answer["error"] = error
        elif has_data and data is not None:
            answer["data"] = data
        self.send(ext["worker"], {"type": "response", "id": self.new_id("response"), "payload": answer})

    def request(self, ext, message):
        request_id, method = message.get("id"), message.get("method")
        envelope = [k for k, t in (("id", str), ("method", str), ("payload", dict)) if not isinstance(message.get(k), t)]
        if envelope or method not in GATES or not request_id:
            self.emit({"type": "invalid-message", "extensionId": ext["id"], "messageType": "request", "errors": ["/" + k for k in envelope]})
            if isinstance(request_id, str) and request_id:  # EXT-HOST-011, EXT-HOST-025
                self.respond(ext, request_id, "Unknown method: %s" % method if isinstance(method, str) and method not in GATES else "invalid request: /" + (envelope or ["id"])[0])
            return
        payload = message["payload"]
        problems = errors(load("methods/%s.payload.json" % method), payload, "/payload")
        gate = GATES[method]
        if gate is None and not problems:
            allowed = url_allowed(ext["permissions"], payload["url"])
        else:
            allowed = gate is None or gate in ext["permissions"]
        if not allowed:
            return self.respond(ext, request_id, "%s needs a permission extension %s lacks" % (method, ext["id"]))
        if problems:
            self.emit({"type": "invalid-message", "extensionId": ext["id"], "messageType": "request", "errors": ["%s: %s" % p for p in problems]})
            return self.respond(ext, request_id, "invalid %s payload: %s: %s" % ((method,) + problems[0]))
        family, _, verb = method.partition(".")
        if family == "storage":
            scope = self.storage.setdefault((ext["id"], payload.get("userId")), {})  # user keys never meet global ones
            if verb.startswith("get"):
                return self.respond(ext, request_id, data=scope.get(payload["key"]), has_data=True)
            if verb.startswith("set"):
                scope[payload["key"]] = payload.get("value")
            elif verb.startswith("delete"):
                scope.pop(payload["key"], None)
            else:
                return self.respond(ext, request_id, data=list(scope), has_data=True)
            return self.respond(ext, request_id)
        if method == "settings.getAll":
            return self.respond(ext, request_id, data=ext["settings"], has_data=True)
        if method == "settings.get":
            return self.respond(ext, request_id, data=ext["settings"].get(payload["key"]), has_data=True)
        if method == "settings.set":
            ext["settings"][payload["key"]] = payload.get("value")
            return self.respond(ext, request_id)
        if method == "events.emit":
            self.emit({"type": "extension-event", "extensionId": ext["id"], "name": payload["name"], "payload": payload.get("payload")})
            return self.respond(ext, request_id)
        self.respond(ext, request_id, "this host has no backend for %s (no network, database, scheduler, chat or profile)" % method)


def out(line):
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main():
    """The driver: each wire line goes to the host's transport, each command to its API."""
    clock = Clock()
    host = Host(send=lambda worker, msg: out({"ch": "wire", "worker": worker, "msg": msg}),
                close=lambda worker: out({"ch": "wire", "worker": worker, "close": True}),
                emit=lambda event: out({"ch": "ctl", "event": event}), clock=clock)
    for raw in sys.stdin:
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            if line["ch"] == "wire":
                host.closed(line["worker"]) if line.get("close") else host.receive(line["worker"], line["msg"])
            else:
                command(host, clock, line)
        except Exception as failure:  # the host never dies of one line; its log goes to stderr
            print("python-host: %r on line %s" % (failure, raw.strip()[:200]), file=sys.stderr)


def command(host, clock, line):
    """Runs one command; its result line is written when the host's API calls done()."""
    name, args, ident = line["cmd"], line.get("args") or {}, line["id"]

    def done(ok, value):
        out({"ch": "ctl", "id": ident, "ok": True, **({} if value is None else {"value": value})} if ok else {"ch": "ctl", "id": ident, "ok": False, "error": str(value)})
    try:
        run(host, clock, name, args, done)
    except Exception as failure:  # a malformed command fails; the host goes on
        done(False, "%s: %r" % (name, failure))


def run(host, clock, command, args, done):
    ext_id = args.get("extensionId")
    if command == "describe":
        done(True, {"name": "python-host example", "commands": ["describe", "load", "executeTool", "executeAction", "chat", "getModels",
                                                                 "fireSchedule", "changeSetting", "unload", "advanceClock"]})
    elif command == "load":
        host.load(args["manifest"], args["worker"], done)
    elif command in ("executeTool", "executeAction"):
        kind = "tool" if command == "executeTool" else "action"
        payload = {kind + "Id": args[kind + "Id"], "params": args.get("params") or {}}
        payload.update({"userId": args["userId"]} if "userId" in args else {})
        host.call(ext_id, kind, args[kind + "Id"], kind + "-execute-request", payload, 60000 if kind == "tool" else 30000, done)
    elif command == "chat":
        payload = {"providerId": args["providerId"], "messages": args["messages"], "options": args.get("options") or {}}
        host.call(ext_id, "chat", args["providerId"], "provider-chat-request", payload, None, done)
    elif command == "getModels":
        payload = {"providerId": args["providerId"], **({"options": args["options"]} if "options" in args else {})}
        host.call(ext_id, "models", args["providerId"], "provider-models-request", payload, 30000, done)
    elif command == "fireSchedule":
        host.notify(ext_id, "scheduler-fire", args["payload"], done)
    elif command == "changeSetting":
        host.notify(ext_id, "settings-changed", {"key": args["key"], "value": args.get("value")}, done)
    elif command == "unload":
        host.unload(ext_id, done)
    elif command == "advanceClock":
        clock.advance(args["ms"])
        done(True, None)
    else:
        done(False, "unsupported command " + str(command))


if __name__ == "__main__":
    main()
