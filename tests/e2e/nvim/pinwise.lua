-- Neovim (0.7+) as a second, independent LSP client for `pinwise serve`.
-- usage: SERVER="python -m pinwise.lsp" TARGET=/abs/requirements.txt OUT=/tmp/result.json \
--        nvim --headless --clean -c "luafile tests/e2e/nvim/pinwise.lua"
-- Opens TARGET, waits for Pinwise's diagnostics, asks for the code actions on the first PW001,
-- resolves and applies "Pin to installed version", and writes what happened to OUT as JSON.
local file = assert(os.getenv("TARGET"))
local out = assert(os.getenv("OUT"))
local result = { ok = false, step = "start" }

local function finish()
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  local client_id = vim.lsp.start_client({
    name = "pinwise",
    cmd = vim.split(os.getenv("SERVER") or "pinwise serve", " "),
    root_dir = vim.fn.fnamemodify(file, ":h"),
    workspace_folders = {
      { uri = vim.uri_from_fname(vim.fn.fnamemodify(file, ":h")), name = "project" },
    },
  })
  vim.cmd("edit " .. file)
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)

  result.step = "diagnostics"
  vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  local diagnostics = vim.diagnostic.get(bufnr)
  result.diagnostics = {}
  local target
  for _, d in ipairs(diagnostics) do
    table.insert(result.diagnostics, {
      code = d.code, source = d.source, lnum = d.lnum, col = d.col,
      end_col = d.end_col, message = d.message, severity = d.severity,
    })
    if d.code == "PW001" and target == nil then target = d end
  end
  if target == nil then error("no PW001 diagnostic") end

  result.step = "codeAction"
  local client = vim.lsp.get_client_by_id(client_id)
  -- Rebuild the LSP diagnostic (0.7 keeps only some of its fields in user_data.lsp).
  local extra = (target.user_data and target.user_data.lsp) or {}
  local lsp_diag = {
    range = {
      start = { line = target.lnum, character = target.col },
      ["end"] = { line = target.end_lnum or target.lnum, character = target.end_col },
    },
    message = target.message, code = target.code, source = target.source,
    severity = target.severity, data = extra.data,
  }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag } },
  }
  local response, req_err = client.request_sync("textDocument/codeAction", params, 10000, bufnr)
  if not response or response.err then
    error("codeAction failed: " .. vim.inspect(response) .. " " .. vim.inspect(req_err))
  end
  result.titles = {}
  local chosen
  for _, action in ipairs(response.result or {}) do
    table.insert(result.titles, action.title)
    if chosen == nil and action.title:find("^Pin to installed version") then chosen = action end
  end
  if chosen == nil then error("no 'Pin to installed version' action") end
  result.preferred = chosen.isPreferred == true

  result.step = "resolve"
  if chosen.edit == nil then
    local resolved, res_err = client.request_sync("codeAction/resolve", chosen, 10000, bufnr)
    if not resolved or resolved.err then
      error("resolve failed: " .. vim.inspect(resolved) .. " " .. vim.inspect(res_err))
    end
    chosen = resolved.result
  end
  result.step = "apply"
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding or "utf-16")
  result.lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)

  -- The server re-diagnoses the edited buffer: the PW001 goes away.
  result.step = "rediagnose"
  result.cleared = vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == "PW001" then return false end
    end
    return true
  end, 50)
  result.ok = true
  vim.lsp.stop_client(client_id)
end)
if not ok then result.error = tostring(err) end
finish()
