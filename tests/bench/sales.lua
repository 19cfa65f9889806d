-- sales.lua: wrk script for the sales benchmark (tests/bench/bench.sh).
-- Every request is POST /api/v1/sales with the same body (SALES_BODY) and
-- a new Idempotency-Key, so every request records a new sale. A key is a
-- canonical UUID made of the run's nonce (SALES_NONCE, 8 hex digits), the
-- wrk thread's number and a per-thread counter: unique without seeding
-- math.random in each thread. The booth's API key is SALES_KEY.

local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

local counter = 0
local nonce = os.getenv("SALES_NONCE") or "00000000"
local body = os.getenv("SALES_BODY")
local auth = "Bearer " .. (os.getenv("SALES_KEY") or "")

function request()
    counter = counter + 1
    local key = string.format("%s-%04x-4000-8000-%012x", nonce, tid or 0,
                              counter)
    return wrk.format("POST", "/api/v1/sales", {
        ["Authorization"] = auth,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = key,
    }, body)
end
