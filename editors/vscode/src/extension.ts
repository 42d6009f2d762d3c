// The VS Code client of shipshape's language server: it starts `shipshape lsp` for YAML
// files and leaves everything else (diagnostics, quick fixes, hover, definition, symbols,
// completion) to the server, which reads the Compose and GitLab CI files of the workspace
// together.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("shipshape.restartServer", () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("shipshape.path")) {
        void restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const command =
    vscode.workspace.getConfiguration("shipshape").get<string>("path") || "shipshape";
  const executable = { command, args: ["lsp"], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    // Compose files are `dockercompose` once the Docker extension is installed.
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "file", language: "dockercompose" },
    ],
    // Files that are not open still matter: a saved Compose file, `.env` or
    // `shipshape.toml` changes what the open pipeline sees.
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{*.yml,*.yaml,.env,shipshape.toml}",
      ),
    },
  };
  client = new LanguageClient("shipshape", "shipshape", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const install = "Install it with `cargo install --path .` from a shipshape checkout";
    void vscode.window.showErrorMessage(
      `shipshape: could not start \`${command} lsp\` (${String(error)}). ` +
        `${install}, or set \`shipshape.path\` to the binary.`,
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running?.isRunning()) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}
