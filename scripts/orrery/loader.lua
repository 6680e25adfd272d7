-- orrery.loader: putting images into a machine's memory.
--
--   local loader = require("orrery.loader")
--   local rom = loader.rom_from_file(m, "bootrom", "boot.bin")
--   sysbus.map(m, 0, rom)
--   loader.load(m.memory, 0x80000000, { file = "kernel.bin" })
--   loader.load(m.memory, 0x80100000, "\1\2\3\4")
--
-- Every failure raises an error starting "orrery: loader:".
local orrery = require("orrery")
local devkit = require("orrery.devkit")

local M = {}

M.ROM_ALIGN = 4096

local fail = devkit.errors("loader")

local function is_integer(v)
    return type(v) == "cdata" or (type(v) == "number" and v >= 0 and v % 1 == 0)
end

-- Whether @v is an orrery object of type @typename (false for anything
-- else, other userdata included).
local function is_a(v, typename)
    if type(v) ~= "userdata" then
        return false
    end
    local ok, yes = pcall(function() return v:is_a(typename) end)
    return ok and yes
end

-- loader.read_file(path) --> the file's bytes.
function M.read_file(path)
    if type(path) ~= "string" then
        fail("read_file: expected a path string, got %s", type(path))
    end
    local f, err = io.open(path, "rb")
    if f == nil then
        -- io.open's message is "PATH: reason"; keep the reason.
        local prefix = path .. ": "
        if err:sub(1, #prefix) == prefix then
            err = err:sub(#prefix + 1)
        end
        fail("cannot read %s: %s", path, err)
    end
    local bytes, rerr = f:read("*a")
    f:close()
    if bytes == nil then
        fail("cannot read %s: %s", path, rerr or "read failed")
    end
    return bytes
end

-- loader.rom_from_file(owner, name, path [, size]) --> a ROM region holding
-- the file, of @size bytes or the file's length rounded up to 4 KiB.
function M.rom_from_file(owner, name, path, size)
    local bytes = M.read_file(path)
    if size == nil then
        size = math.max(1, math.ceil(#bytes / M.ROM_ALIGN)) * M.ROM_ALIGN
    elseif not is_integer(size) then
        fail("rom_from_file: size must be a non-negative integer, got %s",
             tostring(size))
    elseif size < #bytes then
        fail("rom_from_file: %s is %d bytes, more than the ROM's size %s",
             path, #bytes, tostring(size))
    end
    return orrery.rom(owner, name, size, bytes)
end

-- The first address of [addr, addr + n) where @as maps nothing, or nil.
-- Only for error messages: it steps over whole regions.
local function first_hole(as, addr, n)
    local a, last = addr, addr + n
    while a < last do
        local region, offset = as:find(a)
        if region == nil then
            return a
        end
        a = a + (region.size - offset)
    end
    return nil
end

-- loader.load(as, addr, bytes_or_{file = path}) --> the number of bytes
-- written. @as is an address space (or a machine: its memory). Bytes are
-- written in order; on a failure those before it may have been written.
function M.load(as, addr, data)
    if is_a(as, "machine") then
        as = as.memory
    end
    if not is_a(as, "address-space") then
        fail("load: expected an address space, got %s", tostring(as))
    end
    if not is_integer(addr) then
        fail("load: address must be a non-negative integer, got %s",
             tostring(addr))
    end
    local bytes = data
    if type(data) == "table" then
        if type(data.file) ~= "string" then
            fail("load: a table needs file = PATH, got file = %s",
                 tostring(data.file))
        end
        bytes = M.read_file(data.file)
    elseif type(data) ~= "string" then
        fail("load: expected a string or { file = PATH }, got %s", type(data))
    end
    if #bytes == 0 then
        return 0
    end
    local ok, err = as:write_bytes(addr, bytes)
    if not ok then
        local hole = err == "decode-error" and first_hole(as, addr, #bytes)
        fail("load: writing %d bytes at 0x%x failed: %s%s", #bytes, addr, err,
             hole and ("; nothing is mapped at 0x%x"):format(hole) or "")
    end
    return #bytes
end

return M
