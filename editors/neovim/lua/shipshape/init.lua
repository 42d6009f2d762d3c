-- shipshape's language server in Neovim: starts `shipshape lsp` for YAML buffers, one
-- server per project root, and lets Neovim's LSP client show what it publishes.
--
-- Uses vim.lsp.start (Neovim 0.8 and newer), and vim.lsp.start_client with
-- buf_attach_client on 0.7 (Debian bookworm's neovim), which lacks it.

local M = {}

M.defaults = {
  -- The server command; set it to an absolute path if shipshape is not on PATH.
  cmd = { "shipshape", "lsp" },
  -- Neovim 0.10 and newer give Compose files and pipelines filetypes of their own.
  filetypes = { "yaml", "yaml.docker-compose", "yaml.gitlab", "dockercompose" },
  -- The nearest directory above a buffer holding one of these is the workspace root.
  root_markers = { "shipshape.toml", ".gitlab-ci.yml", ".git" },
}

M.config = vim.deepcopy(M.defaults)

-- Client ids by root, for Neovim 0.7 where vim.lsp.start does not reuse clients.
local clients = {}

local function exists(path)
  return vim.loop.fs_stat(path) ~= nil
end

-- The closest ancestor of `path` holding a root marker, else the buffer's directory.
function M.root_dir(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local start = dir
  while true do
    for _, marker in ipairs(M.config.root_markers) do
      if exists(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return start
    end
    dir = parent
  end
end

-- Starts (or reuses) the server for a buffer and attaches it; returns the client id.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local root = M.root_dir(path)
  local config = { name = "shipshape", cmd = M.config.cmd, root_dir = root }
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(config)
    if id == nil then
      return nil
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

-- Attach the server to every buffer of the configured filetypes, now and from now on.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  local group = vim.api.nvim_create_augroup("shipshape", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
