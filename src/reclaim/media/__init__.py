"""Safe decoding of untrusted media: size, pixel and duration limits checked before decoding."""
