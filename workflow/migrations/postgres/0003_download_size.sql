-- The length of each version sent to a USB-token holder, so that an upload
-- signed over an older version is recognised by hashing one prefix of it.
ALTER TABLE usb_downloads ADD COLUMN sent_size BIGINT NOT NULL DEFAULT 0;
