-- POST /api/v1/verify with a signed PDF drawn at random from the files named
-- in the list file given as the script's first argument (one path per line).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  bodies = {}
  for path in io.lines(args[1]) do
    if #path > 0 then
      local f = assert(io.open(path, "rb"))
      bodies[#bodies + 1] = f:read("*a")
      f:close()
    end
  end
  if #bodies == 0 then
    error("no PDFs in " .. args[1])
  end
  math.randomseed(seed)
end

function request()
  return wrk.format("POST", "/api/v1/verify", { ["Content-Type"] = "application/pdf" }, bodies[math.random(#bodies)])
end
