;; short-answer: passes when the answer is at most 280 bytes (a plugin in WebAssembly text, the
;; ABI with nothing else: no SDK, no libc, no imports).
;;
;; The host always writes the evaluator input with "output" as its first key, so the answer's
;; JSON string starts at byte 11 of {"output":"...". The plugin counts its bytes up to the
;; closing quote (an escape such as \n counts as one byte) and answers with one of two fixed
;; JSON texts.
(module
  (memory (export "memory") 2)
  ;; Input goes at 1024 onwards (one page and a bit is plenty for the tests' answers; larger
  ;; inputs grow the memory).
  (data (i32.const 0) "{\22score\22:1,\22passed\22:true}")
  (data (i32.const 64) "{\22score\22:0,\22passed\22:false,\22explanation\22:\22longer than 280 bytes\22}")
  (data (i32.const 192) "{\22error\22:\22the input does not start with an output string\22}")

  (func (export "ltb_abi_version") (result i32) (i32.const 1))

  ;; Every call's input is written at 1024; memory grows to fit it.
  (func (export "ltb_alloc") (param $size i32) (result i32)
    (local $needed i32)
    (local.set $needed
      (i32.sub
        (i32.shr_u (i32.add (i32.add (local.get $size) (i32.const 1024)) (i32.const 65535)) (i32.const 16))
        (memory.size)))
    (if (i32.gt_s (local.get $needed) (i32.const 0))
      (then
        (if (i32.eq (memory.grow (local.get $needed)) (i32.const -1))
          (then (return (i32.const 0))))))
    (i32.const 1024))

  ;; (pointer << 32) | length
  (func $answer (param $pointer i32) (param $length i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $pointer)) (i64.const 32))
      (i64.extend_i32_u (local.get $length))))

  (func (export "ltb_evaluate") (param $input i32) (param $length i32) (result i64)
    (local $p i32) (local $end i32) (local $count i32) (local $byte i32)
    ;; {"output":" is 11 bytes
    (if (i32.lt_u (local.get $length) (i32.const 12))
      (then (return (call $answer (i32.const 192) (i32.const 58)))))
    (if (i32.ne (i32.load8_u offset=10 (local.get $input)) (i32.const 34))
      (then (return (call $answer (i32.const 192) (i32.const 58)))))
    (local.set $p (i32.add (local.get $input) (i32.const 11)))
    (local.set $end (i32.add (local.get $input) (local.get $length)))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $byte (i32.load8_u (local.get $p)))
        (br_if $done (i32.eq (local.get $byte) (i32.const 34)))
        ;; a backslash escapes the next byte
        (if (i32.eq (local.get $byte) (i32.const 92))
          (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    (if (result i64) (i32.le_u (local.get $count) (i32.const 280))
      (then (call $answer (i32.const 0) (i32.const 25)))
      (else (call $answer (i32.const 64) (i32.const 64))))))
