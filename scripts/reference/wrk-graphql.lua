-- wrk: POST one GraphQL query (a page of 50 results with nested provider, scores and
-- evaluations) to /graphql. The query comes from the environment (LTB_WRK_QUERY) or the default.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- The credential (an API key or access token) from LTB_WRK_TOKEN, as every client sends one.
local token = os.getenv("LTB_WRK_TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end
local query = os.getenv("LTB_WRK_QUERY") or
  "{ results(first: 50) { edges { cursor node { id testId status model ttftMs e2eMs outputTokens costUsd scores provider { name kind } evaluations { metric score passed } } } pageInfo { hasNextPage endCursor } } }"
wrk.body = '{"query": "' .. query:gsub('"', '\\"') .. '"}'

-- Fail loudly if the server answers with anything but 200.
local failures = 0
response = function(status, headers, body)
  if status ~= 200 and failures < 3 then
    failures = failures + 1
    io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n")
  end
end
