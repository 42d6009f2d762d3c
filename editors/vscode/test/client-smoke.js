// Starts the shipshape language server the way the extension's `vscode-languageclient`
// does, and reports what a Compose file with a finding gets back. Run by
// tests/editors.rs (`cargo test --test editors -- --ignored`), offline, with the
// node_modules of `npm ci`:
//
//   node test/client-smoke.js <command> <workspace folder> <file to open>
//
// `LanguageClient` itself needs VS Code's `vscode` module, so the pieces it is made of
// are used directly:
// - the spawn: `LanguageClient.createMessageTransports` in
//   node_modules/vscode-languageclient/lib/node/main.js (9.0.1, the branch
//   `else if (Executable.is(json) && json.command)`), for the extension's
//   `{ command, args: ["lsp"], transport: TransportKind.stdio }`: copy `args`, push
//   `--stdio` (and no `--clientProcessId`, which only node modules get), then
//   `cp.spawn(command.command, args, options)` with `options.cwd` the workspace folder
//   (`_getServerWorkingDir`). The script checks that the installed library still reads
//   so before it trusts this copy.
// - the connection: `createProtocolConnection` of vscode-languageserver-protocol over
//   `StreamMessageReader(serverProcess.stdout)` and `StreamMessageWriter(serverProcess.stdin)`,
//   as lib/common/client.js's `createConnection` does.
// - the initialize parameters of `BaseLanguageClient.initialize` (lib/common/client.js).
//
// Prints one JSON object: the command line, the diagnostics published for the file, the
// server's exit code and stderr.

"use strict";

const cp = require("child_process");
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
} = require("vscode-languageserver-protocol/node");

const [command, folder, file] = process.argv.slice(2);
if (!command || !folder || !file) {
  console.error("usage: client-smoke.js <command> <workspace folder> <file>");
  process.exit(2);
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

// The library builds an executable's command line in this branch; if a new version
// builds it otherwise, the copy below is stale.
const client = path.join(
  path.dirname(require.resolve("vscode-languageclient/package.json")),
  "lib/node/main.js",
);
const clientSource = fs.readFileSync(client, "utf8");
const start = clientSource.indexOf("else if (Executable.is(json) && json.command) {");
const spawnAt = clientSource.indexOf("cp.spawn(command.command, args, options)", start);
if (start < 0 || spawnAt < 0) {
  fail(`${client}: no executable branch ending in cp.spawn; re-read createMessageTransports`);
}
const branch = clientSource.slice(start, spawnAt);
for (const expected of [
  "const args = json.args !== undefined ? json.args.slice(0) : [];",
  "if (transport === TransportKind.stdio) {\n                    args.push('--stdio');",
  "options.cwd = options.cwd || serverWorkingDir;",
]) {
  if (!branch.includes(expected)) {
    fail(`${client}: the executable branch no longer has ${JSON.stringify(expected)}`);
  }
}
if (branch.includes("clientProcessId")) {
  fail(`${client}: executables now get --clientProcessId; pass it here too`);
}

// src/extension.ts: `{ command, args: ["lsp"], transport: TransportKind.stdio }`.
const executable = { command, args: ["lsp"], transport: "stdio" };
const args = executable.args.slice(0);
args.push("--stdio");
const options = Object.assign({}, executable.options);
options.cwd = options.cwd || folder;
const serverProcess = cp.spawn(executable.command, args, options);
let stderr = "";
serverProcess.stderr.on("data", (data) => (stderr += data.toString("utf8")));
const exited = new Promise((resolve) => serverProcess.on("exit", (code) => resolve(code)));

const connection = createProtocolConnection(
  new StreamMessageReader(serverProcess.stdout),
  new StreamMessageWriter(serverProcess.stdin),
);
const uri = pathToFileURL(file).href;
let published;
const received = new Promise((resolve) => {
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    if (params.uri === uri && params.diagnostics.length > 0) {
      published = params.diagnostics;
      resolve();
    }
  });
});
connection.listen();

async function main() {
  const timeout = (ms, what) =>
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} in ${ms} ms`)), ms));
  const folderUri = pathToFileURL(folder).href;
  const result = await Promise.race([
    connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: "Visual Studio Code", version: "1.82.0" },
      locale: "en",
      rootPath: folder,
      rootUri: folderUri,
      capabilities: {
        textDocument: {
          synchronization: { dynamicRegistration: true, didSave: true },
          publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] } },
        },
        workspace: { workspaceFolders: true, configuration: true },
      },
      trace: "off",
      workspaceFolders: [{ uri: folderUri, name: path.basename(folder) }],
    }),
    timeout(30000, "initialize result"),
  ]);
  connection.sendNotification(InitializedNotification.type, {});
  connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "yaml", version: 1, text: fs.readFileSync(file, "utf8") },
  });
  await Promise.race([received, timeout(30000, `diagnostics for ${uri}`)]);
  await connection.sendRequest(ShutdownRequest.type);
  connection.sendNotification(ExitNotification.type);
  const exitCode = await Promise.race([exited, timeout(10000, "exit")]);
  connection.dispose();
  console.log(
    JSON.stringify({
      command: [executable.command, ...args],
      cwd: options.cwd,
      serverName: result.serverInfo && result.serverInfo.name,
      diagnostics: published,
      exitCode,
      stderr,
    }),
  );
}

main().catch((error) => {
  serverProcess.kill();
  fail(`${error.message}\nserver stderr:\n${stderr}`);
});
