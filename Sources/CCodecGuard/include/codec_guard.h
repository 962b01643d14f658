// codec_guard: the only C code in upare that calls libpng and libjpeg.
//
// Both libraries report fatal errors by longjmp (libjpeg's default even calls
// exit()). A longjmp across Swift frames is undefined behaviour, so every call
// into those libraries happens here, inside a C function that owns its setjmp.
// Each function returns 0 on success or -1 on failure; on failure the library's
// message is in the handle's error text.
#ifndef UPARE_CODEC_GUARD_H
#define UPARE_CODEC_GUARD_H

#include <stddef.h>
#include <stdint.h>

#define UPARE_ERROR_TEXT_SIZE 200

/// A growable output buffer filled by the encoders; release with upare_buffer_free.
typedef struct upare_buffer {
    uint8_t *data;
    size_t size;
    size_t capacity;
} upare_buffer;

void upare_buffer_free(upare_buffer *buffer);

/// Limits checked against the header before any pixel memory is allocated.
typedef struct upare_decode_limits {
    uint32_t max_width;
    uint32_t max_height;
    uint64_t max_pixels;
} upare_decode_limits;

/// Why a call failed: the header asked for more than the limits, the input is not
/// supported, or the data is corrupt.
typedef enum upare_failure {
    UPARE_FAILURE_NONE = 0,
    UPARE_FAILURE_CORRUPT = 1,
    UPARE_FAILURE_LIMITS = 2,
    UPARE_FAILURE_UNSUPPORTED = 3,
    UPARE_FAILURE_RESOURCES = 4,
} upare_failure;

// MARK: PNG

typedef struct upare_png_decoder upare_png_decoder;

typedef struct upare_png_header {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;   // PNG_COLOR_TYPE_* as stored in the file
    int interlaced;
} upare_png_header;

upare_png_decoder *upare_png_decoder_create(const uint8_t *data, size_t size);
void upare_png_decoder_destroy(upare_png_decoder *decoder);
const char *upare_png_decoder_error(const upare_png_decoder *decoder);
upare_failure upare_png_decoder_failure(const upare_png_decoder *decoder);
/// Reads the signature and every chunk up to the image data and sets up the
/// transforms that turn any PNG into 8-bit RGBA.
int upare_png_read_header(upare_png_decoder *decoder, upare_decode_limits limits,
                          upare_png_header *header);
/// Decodes the whole image (interlaced or not) as RGBA8 rows of `stride` bytes
/// and checks the chunks after the image data.
int upare_png_read_rgba(upare_png_decoder *decoder, uint8_t *pixels, size_t stride);

typedef enum upare_png_layout {
    UPARE_PNG_GRAY = 0,      // 1 byte per pixel
    UPARE_PNG_RGB = 1,       // 3 bytes per pixel
    UPARE_PNG_RGBA = 2,      // 4 bytes per pixel
    UPARE_PNG_PALETTE = 3,   // 1 index byte per pixel
    UPARE_PNG_GRAY_ALPHA = 4 // 2 bytes per pixel
} upare_png_layout;

typedef struct upare_png_encode_params {
    uint32_t width;
    uint32_t height;
    upare_png_layout layout;
    int bit_depth;            // 8, or 1/2/4 for a packed palette (indices still one per byte)
    int compression_level;    // zlib level 0...9
    int filters;              // PNG_FILTER_* mask, e.g. PNG_FILTER_NONE or PNG_ALL_FILTERS
    int strategy;             // zlib strategy, e.g. Z_DEFAULT_STRATEGY, Z_RLE
    const uint8_t *palette;   // RGB triples, palette_count of them
    int palette_count;
    const uint8_t *palette_alpha; // tRNS, alpha_count entries (may be fewer than palette_count)
    int alpha_count;
} upare_png_encode_params;

int upare_png_encode(const upare_png_encode_params *params, const uint8_t *pixels,
                     size_t stride, upare_buffer *output, char *error_text);

// MARK: JPEG

typedef struct upare_jpeg_decoder upare_jpeg_decoder;

typedef struct upare_jpeg_header {
    uint32_t width;
    uint32_t height;
    int components;
    int color_space;   // J_COLOR_SPACE of the file
    int progressive;
} upare_jpeg_header;

upare_jpeg_decoder *upare_jpeg_decoder_create(const uint8_t *data, size_t size);
void upare_jpeg_decoder_destroy(upare_jpeg_decoder *decoder);
const char *upare_jpeg_decoder_error(const upare_jpeg_decoder *decoder);
upare_failure upare_jpeg_decoder_failure(const upare_jpeg_decoder *decoder);
int upare_jpeg_read_header(upare_jpeg_decoder *decoder, upare_decode_limits limits,
                           upare_jpeg_header *header);
/// Decodes to RGBA8 (gray and YCbCr files; CMYK/YCCK are refused in read_header).
/// Corrupt-data warnings, such as a premature end of file, are errors here.
int upare_jpeg_read_rgba(upare_jpeg_decoder *decoder, uint8_t *pixels, size_t stride);

typedef struct upare_jpeg_encode_params {
    uint32_t width;
    uint32_t height;
    int components;    // 1 = gray, 3 = RGB, 4 = RGBA: composited over white where alpha < 255
    int quality;       // 1...100
    int subsampling;   // 444 or 420
    int progressive;
    int optimize_coding;
} upare_jpeg_encode_params;

int upare_jpeg_encode(const upare_jpeg_encode_params *params, const uint8_t *pixels,
                      size_t stride, upare_buffer *output, char *error_text);

// MARK: JPEG lossless block permutation (coefficient domain)

/// The MCU grid of a JPEG, read from its header.
typedef struct upare_jpeg_mcu_grid {
    uint32_t width;          // image size in pixels
    uint32_t height;
    uint32_t mcu_width;      // MCU size in pixels (8 or 16 for common files)
    uint32_t mcu_height;
    uint32_t mcus_across;    // MCU columns and rows covering the image
    uint32_t mcus_down;
    int progressive;
    int components;
} upare_jpeg_mcu_grid;

int upare_jpeg_read_mcu_grid(const uint8_t *data, size_t size, upare_decode_limits limits,
                             upare_jpeg_mcu_grid *grid, char *error_text);

/// Rewrites a JPEG without decoding it: the DCT coefficients of MCU `source[i]`
/// go to MCU position i (row-major; `count` = mcus_across * mcus_down). Markers
/// (ICC, EXIF, comments...) are copied, except APP`drop_app` segments that start
/// with `drop_prefix`; `insert_payload` (if any) is written as one APP`insert_app`
/// segment. Progressive files stay progressive.
/// When `output->data` is set on entry, the file is written there (at most
/// `output->capacity` bytes; that memory stays the caller's). A larger file goes
/// to memory allocated here: `output->data` then differs from the caller's
/// pointer and is released with upare_buffer_free.
int upare_jpeg_permute_mcus(const uint8_t *data, size_t size, upare_decode_limits limits,
                            const uint32_t *source, size_t count,
                            int drop_app, const uint8_t *drop_prefix, size_t drop_prefix_length,
                            int insert_app, const uint8_t *insert_payload, size_t insert_length,
                            upare_buffer *output, char *error_text);

#endif
