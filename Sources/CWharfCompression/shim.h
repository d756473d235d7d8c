// The system's compression libraries, for the codecs Kafka record batches use:
// gzip (zlib), snappy (its C API), lz4 (the frame format) and zstd. From Debian's
// zlib1g-dev, libsnappy-dev, liblz4-dev and libzstd-dev.
#include <zlib.h>
#include <snappy-c.h>
#include <lz4frame.h>
#include <zstd.h>
