-- wrk posting the streamed chat request `ltb bench` sends to the fake server, reading each
-- answer to its end: the machine's raw cost of reading the same bytes.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"fake-model","messages":[{"role":"user","content":"Question number 7: what is 7 plus 7?"}],"stream":true,"stream_options":{"include_usage":true}}'
