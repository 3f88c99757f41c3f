/**
 * A tour of Maquis processes on one node: spawn and send, a link chain brought down by one crash,
 * a monitor's DOWN, and a supervisor-like process trapping exits to restart its worker.
 */
import {
  describe,
  type DownMessage,
  type ExitMessage,
  isDown,
  isExit,
  Node,
  type Pid,
  type ProcessContext,
} from "@maquis/core";

const say = (who: string, text: string) => console.log(`  ${who.padEnd(10)} ${text}`);

const node = Node.start({ name: "demo" });
const shell = node.inbox(); // our own mailbox, like the Erlang shell's

console.log("\n1. Processes and messages");
const greeter = node.spawn(async (self) => {
  for (;;) {
    const msg = await self.receive<{ from: Pid; name: string }>();
    self.send(msg.from, `hello, ${msg.name} (from ${self.pid})`);
  }
});
shell.send(greeter, { from: shell.pid, name: "world" });
say("shell", `got: ${await shell.receive()}`);

console.log("\n2. A link chain: one crash takes down every linked process");
const worker = (label: string) => async (self: ProcessContext) => {
  await self.receive((m) => m === "crash");
  say(label, "crashing");
  throw new Error(`${label} failed`);
};
const a = node.spawn(worker("a"));
const b = node.spawn(async (self) => {
  self.link(a);
  await self.receive((m) => m === "never");
});
const c = node.spawn(async (self) => {
  self.link(b);
  await self.receive((m) => m === "never");
});
const watches = [a, b, c].map((pid) => [pid, shell.monitor(pid)] as const);
shell.send(a, "crash");
for (const [pid, ref] of watches) {
  const down = (await shell.receive(isDown(ref))) as DownMessage;
  say("shell", `${pid} is down: ${describe(down.reason)}`);
}

console.log("\n3. A normal exit does not kill linked processes");
const quiet = node.spawn(async (self) => {
  await self.receive();
});
const survivor = node.spawn(async (self) => {
  self.link(quiet);
  await self.receive((m) => m === "stop");
});
shell.send(quiet, "done");
await node.idle();
say("shell", `${survivor} alive after its link exited normally: ${node.isAlive(survivor)}`);

console.log("\n4. trap_exit: a keeper restarts its worker when it dies");
const keeper = node.spawn(async (self) => {
  self.trapExit(true);
  let child = self.spawnLink(worker("child"));
  self.register("keeper");
  for (let restarts = 0; restarts < 2; restarts++) {
    self.send(shell.pid, { child });
    const exit = await self.receive<ExitMessage>(isExit(child));
    say("keeper", `child ${exit.from} exited (${describe(exit.reason)}); restarting`);
    child = self.spawnLink(worker("child"));
  }
  self.send(shell.pid, "gave up");
});
for (let i = 0; i < 2; i++) {
  const { child } = await shell.receive<{ child: Pid }>(
    (m) => typeof m === "object" && m !== null && "child" in m,
  );
  shell.send(child, "crash");
}
say("shell", `keeper says: ${await shell.receive((m) => m === "gave up")}`);

console.log("\n5. Monitoring a name that is not registered gives DOWN noproc at once");
const ref = shell.monitor("nobody");
const down = (await shell.receive(isDown(ref))) as DownMessage;
say("shell", `DOWN ${JSON.stringify(down.item)}: ${describe(down.reason)}`);

const info = node.processInfo(greeter);
console.log(`\n6. Introspection: ${node.processes().length} processes alive; greeter:`, {
  status: info?.status,
  messagesIn: info?.messagesIn,
  messagesOut: info?.messagesOut,
});
void keeper;
await node.stop();
console.log("\nnode stopped: every process ended with reason shutdown.\n");
