-- wrk: every request asks for one path drawn at random from a file of paths (one a line), given
-- after wrk's `--`: wrk -s wrk-paths.lua http://host:port -- paths.txt. Each wrk thread reads the
-- file and seeds its own generator, so the threads do not ask the same sequence.
local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  local address = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
  math.randomseed(os.time() + address % 1000003)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
