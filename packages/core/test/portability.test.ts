/**
 * Core must run unchanged in browsers, Bun and Deno: it may import only its own modules and msgpackr,
 * bundle for the browser without Node built-ins, and work in a realm that has only web globals.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const srcDir = fileURLToPath(new URL("../src/", import.meta.url));
const entry = join(srcDir, "index.ts");

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );

/** Module specifiers in static imports/exports, dynamic `import()` and `require()`. */
const specifiers = (code: string): string[] => {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1]!);
  return found;
};

const bundle = async (format: "esm" | "iife") => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format,
    ...(format === "iife" ? { globalName: "Maquis" } : {}),
    target: "es2022",
    logLevel: "silent",
  });
  expect(result.errors).toEqual([]);
  expect(result.outputFiles).toHaveLength(1);
  return result.outputFiles[0]!.text;
};

/** `require("x")`, `import "x"` or `from "x"` of a Node built-in (with or without `node:`). */
const NODE_BUILTIN =
  /(?:require\s*\(\s*|import\s*\(\s*|from\s*|import\s*)["'](?:node:[\w/]+|fs|path|os|crypto|util|events|stream|buffer|worker_threads|child_process|net|tls|http|https|url|vm|module|process|timers|perf_hooks)["']/;

describe("portability", () => {
  it("core imports only its own modules and msgpackr's pure-JS builds", () => {
    const files = sourceFiles(srcDir);
    expect(files.length).toBeGreaterThan(10);
    const offending: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        count++;
        if (
          !spec.startsWith("./") &&
          !spec.startsWith("../") &&
          spec !== "msgpackr/pack" &&
          spec !== "msgpackr/unpack"
        ) {
          offending.push(`${relative(srcDir, file)}: ${spec}`);
        }
      }
    }
    expect(count).toBeGreaterThan(30); // the scan does see the imports
    expect(offending).toEqual([]);
  });

  it("the import scan would catch a Node built-in", () => {
    expect(specifiers('import { readFileSync } from "node:fs";\nconst x = require("path");')).toEqual([
      "node:fs",
      "path",
    ]);
    expect(NODE_BUILTIN.test('var fs = require("fs");')).toBe(true);
    expect(NODE_BUILTIN.test('import("node:worker_threads")')).toBe(true);
  });

  it("bundles for the browser as ESM without Node built-ins", async () => {
    const code = await bundle("esm");
    expect(code).toMatch(/export\s*\{/);
    expect(code).not.toMatch(NODE_BUILTIN);
    expect(code).not.toMatch(/\brequire\s*\(/);
  });

  it("runs in a realm with only web globals: start a node, spawn, send, receive, encode", async () => {
    const code = await bundle("iife");
    const channels: MessageChannel[] = [];
    class TrackedChannel extends MessageChannel {
      constructor() {
        super();
        channels.push(this);
      }
    }
    const context = vm.createContext({
      queueMicrotask,
      setTimeout,
      clearTimeout,
      performance,
      crypto,
      TextEncoder,
      TextDecoder,
      console,
      MessageChannel: TrackedChannel,
      WeakRef,
      FinalizationRegistry,
    });
    try {
      const absent = vm.runInContext(
        "[typeof process, typeof require, typeof setImmediate, typeof Buffer, typeof module, typeof global]",
        context,
      );
      expect(JSON.stringify(absent)).toBe(JSON.stringify(Array(6).fill("undefined")));

      vm.runInContext(code, context, { filename: "maquis.iife.js" });
      // Without setImmediate the scheduler falls back on MessageChannel for its macrotasks.
      expect(channels).toHaveLength(1);

      const run = vm.runInContext(
        `(async () => {
          const { Node, encode, decode, isDown } = Maquis;
          const node = Node.start({ name: "browser" });
          const upper = node.spawn(async (self) => {
            const { from, text } = await self.receive();
            self.send(from, text.toUpperCase());
          });
          const inbox = node.inbox();
          const ref = inbox.monitor(upper);
          inbox.send(upper, { from: inbox.pid, text: "hi from a browser" });
          const reply = await inbox.receive((m) => typeof m === "string");
          const down = await inbox.receive(isDown(ref));
          await node.idle();
          inbox.sendAfter(0, inbox.pid, "tick");
          const tick = await inbox.receive();
          const long = "x".repeat(200) + " ✓";
          const back = decode(encode({ pid: inbox.pid, big: 2n ** 70n, long, bytes: new Uint8Array([1, 2]) }));
          const processes = node.processes().length;
          await node.stop();
          return JSON.stringify({
            reply,
            reason: down.reason,
            tick,
            samePid: back.pid === inbox.pid,
            big: String(back.big),
            long: back.long === long,
            bytes: Array.from(back.bytes),
            processes,
            stopped: node.stopped,
            pid: String(inbox.pid),
          });
        })()`,
        context,
      ) as Promise<string>;
      expect(JSON.parse(await run)).toEqual({
        reply: "HI FROM A BROWSER",
        reason: "normal",
        tick: "tick",
        samePid: true,
        big: String(2n ** 70n),
        long: true,
        bytes: [1, 2],
        processes: 1,
        stopped: true,
        pid: "<browser.2.0>",
      });
    } finally {
      for (const channel of channels) channel.port1.close();
    }
  });
});
