-- What each request carried of images and audio (the spec's multi_modal_inputs): per input its
-- source, format, size, SHA-256 and dimensions or duration, as a JSON array; never the bytes.
ALTER TABLE results ADD COLUMN media_inputs JSONB;
