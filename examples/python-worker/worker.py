#!/usr/bin/env python3
"""A minimal extension worker in Python, speaking the @stina/extension-api 0.22.1 protocol over
stdio (one JSON message per line). It implements the handshake and the tool and action parts of
the conformance extension (docs/conformance-extension.md), enough to pass:

    npx extwire conformance --cmd "python3 examples/python-worker/worker.py" \
        --filter 'lifecycle/ready-once-first' --filter 'lifecycle/*-before-activation' \
        --filter 'lifecycle/tool-after-deactivate' --filter 'tools/**'

Standard library only. It proves the kit is language-neutral: nothing here knows about Node.
"""
import json
import sys
import time

NOT_ACTIVE = "Extension is not active"
TOOLS = ["echo", "fail", "soft-fail", "invalid-result", "slow", "context"]
CORRELATED = {"tool-execute-request", "action-execute-request", "provider-models-request", "provider-chat-request"}
HOST_TYPES = CORRELATED | {"activate", "deactivate", "settings-changed", "scheduler-fire", "response",
                           "streaming-fetch-chunk", "background-task-start", "background-task-stop"}


def send(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def log(level, message, data=None):
    payload = {"level": level, "message": message}
    if data is not None:
        payload["data"] = data
    send({"type": "log", "payload": payload})


class Worker:
    def __init__(self):
        self.active = False
        self.extension = None
        self.tools = set()
        self.actions = set()

    # -- lifecycle ----------------------------------------------------------------------------
    def activate(self, message):
        if self.active:
            log("warn", "activate ignored: the extension is active")
            return
        payload = message["payload"]
        self.extension = {"id": payload["extensionId"], "version": payload["extensionVersion"],
                          "storagePath": payload["storagePath"]}
        permissions = payload["permissions"]
        if "tools.register" in permissions:
            for tool in TOOLS:
                self.tools.add(tool)
                send({"type": "tool-registered", "payload": {
                    "id": tool, "name": "Conformance " + tool,
                    "description": "The conformance extension's " + tool + " tool",
                    "parameters": {"type": "object"}}})
        if "actions.register" in permissions:
            for action in ["echo-action", "fail-action"]:
                self.actions.add(action)
                send({"type": "action-registered", "payload": {"id": action}})
        self.active = True
        log("info", "conformance extension activated")

    def deactivate(self):
        if not self.active:
            log("warn", "deactivate ignored: the extension is not active")
            return
        log("info", "conformance extension deactivated")
        self.active = False
        self.tools.clear()
        self.actions.clear()

    # -- tools and actions --------------------------------------------------------------------
    def run_tool(self, tool, params, user_id):
        if tool == "echo":
            return {"success": True, "data": params}
        if tool == "fail":
            raise RuntimeError(params.get("message", "tool failed") if isinstance(params.get("message"), str) else "tool failed")
        if tool == "soft-fail":
            message = params.get("message")
            return {"success": False, "error": message if isinstance(message, str) else "soft failure"}
        if tool == "invalid-result":
            return "not a result"
        if tool == "slow":
            delay = params.get("delayMs", 50)
            time.sleep(delay / 1000)
            return {"success": True, "data": {"waited": delay}}
        if tool == "context":
            return {"success": True, "data": {"userId": user_id, "extension": self.extension}}
        raise KeyError(tool)

    def execute(self, kind, message):
        request_id = message["id"]
        payload = message["payload"]
        target = payload.get("toolId" if kind == "tool" else "actionId")
        label = "Tool" if kind == "tool" else "Action"

        def fail(error):
            send({"type": kind + "-execute-response",
                  "payload": {"requestId": request_id, "result": {"success": False, "error": error}, "error": error}})

        if not self.active:
            return fail(NOT_ACTIVE)
        known = self.tools if kind == "tool" else self.actions
        if target not in known:
            return fail(label + " " + str(target) + " not found")
        try:
            if kind == "tool":
                result = self.run_tool(target, payload.get("params", {}), payload.get("userId"))
            elif target == "echo-action":
                result = {"success": True, "data": payload.get("params", {})}
            else:
                raise RuntimeError("action failed")
        except Exception as error:  # the tool threw: both failure channels (EXT-TOOL-002)
            return fail(str(error))
        if not isinstance(result, dict) or not isinstance(result.get("success"), bool):
            return fail(label + " " + target + " returned an invalid result: not a " + label + "Result")
        send({"type": kind + "-execute-response", "payload": {"requestId": request_id, "result": result}})

    # -- dispatch -----------------------------------------------------------------------------
    def handle(self, message):
        if not isinstance(message, dict) or message.get("type") not in HOST_TYPES:
            kind = message.get("type") if isinstance(message, dict) else None
            log("error", "Invalid host message: unknown type " + json.dumps(kind))
            return
        kind = message["type"]
        if kind == "activate":
            return self.activate(message)
        if kind == "deactivate":
            return self.deactivate()
        if kind == "tool-execute-request":
            return self.execute("tool", message)
        if kind == "action-execute-request":
            return self.execute("action", message)
        request_id = message.get("id")
        if kind == "provider-models-request":
            return send({"type": "provider-models-response", "payload": {"requestId": request_id, "models": [], "error": NOT_ACTIVE if not self.active else "Provider " + str(message["payload"].get("providerId")) + " not found"}})
        if kind == "provider-chat-request":
            error = NOT_ACTIVE if not self.active else "Provider " + str(message["payload"].get("providerId")) + " not found"
            return send({"type": "stream-event", "payload": {"requestId": request_id, "event": {"type": "error", "message": error}}})
        if kind == "streaming-fetch-chunk":
            return send({"type": "streaming-fetch-ack", "payload": {"requestId": message["payload"]["requestId"]}})
        if not self.active:
            log("warn", kind + " dropped: extension is not active")


def main():
    worker = Worker()
    send({"type": "ready"})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError as error:
            log("error", "Invalid host message: not JSON: " + str(error))
            continue
        try:
            worker.handle(message)
        except Exception as error:  # never crash on one bad message
            log("error", "Invalid host message: " + repr(error))


if __name__ == "__main__":
    main()
