-- GET /v/{id} for IDs drawn at random from the list file given as the
-- script's first argument (one compact ID per line).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  ids = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      ids[#ids + 1] = line
    end
  end
  if #ids == 0 then
    error("no IDs in " .. args[1])
  end
  math.randomseed(seed)
end

function request()
  return wrk.format("GET", "/v/" .. ids[math.random(#ids)])
end
