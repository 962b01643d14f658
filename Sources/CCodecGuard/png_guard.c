// Every libpng call in upare, each behind its own setjmp (see codec_guard.h).
#include "codec_guard.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct upare_png_decoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t offset;
    upare_failure failure;
    char error[UPARE_ERROR_TEXT_SIZE];
};

static void copy_text(char *destination, const char *text) {
    strncpy(destination, text ? text : "unknown error", UPARE_ERROR_TEXT_SIZE - 1);
    destination[UPARE_ERROR_TEXT_SIZE - 1] = 0;
}

// libpng calls this for a fatal error; the message is kept and control goes back
// to the setjmp of the guarded function on the stack.
static void decoder_error(png_structp png, png_const_charp message) {
    upare_png_decoder *decoder = png_get_error_ptr(png);
    if (decoder->failure == UPARE_FAILURE_NONE) {
        decoder->failure = UPARE_FAILURE_CORRUPT;
        copy_text(decoder->error, message);
    }
    png_longjmp(png, 1);
}

static void ignore_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

// libpng reports an IHDR over the user limits as a warning followed by a generic
// "Invalid IHDR data" error; keep the specific reason and classify it.
static void decoder_warning(png_structp png, png_const_charp message) {
    upare_png_decoder *decoder = png_get_error_ptr(png);
    if (decoder->failure == UPARE_FAILURE_NONE && message &&
        (strstr(message, "exceeds user limit") || strstr(message, "too large"))) {
        decoder->failure = UPARE_FAILURE_LIMITS;
        copy_text(decoder->error, message);
    }
}

static void read_from_memory(png_structp png, png_bytep out, size_t length) {
    upare_png_decoder *decoder = png_get_io_ptr(png);
    if (length > decoder->size - decoder->offset) {
        png_error(png, "unexpected end of PNG data (truncated file)");
    }
    memcpy(out, decoder->data + decoder->offset, length);
    decoder->offset += length;
}

void upare_buffer_free(upare_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
}

upare_png_decoder *upare_png_decoder_create(const uint8_t *data, size_t size) {
    upare_png_decoder *decoder = calloc(1, sizeof *decoder);
    if (!decoder) return NULL;
    decoder->data = data;
    decoder->size = size;
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder, decoder_error,
                                          decoder_warning);
    if (decoder->png) decoder->info = png_create_info_struct(decoder->png);
    if (!decoder->png || !decoder->info) {
        upare_png_decoder_destroy(decoder);
        return NULL;
    }
    png_set_read_fn(decoder->png, decoder, read_from_memory);
    return decoder;
}

void upare_png_decoder_destroy(upare_png_decoder *decoder) {
    if (!decoder) return;
    png_destroy_read_struct(&decoder->png, decoder->info ? &decoder->info : NULL, NULL);
    free(decoder);
}

const char *upare_png_decoder_error(const upare_png_decoder *decoder) { return decoder->error; }
upare_failure upare_png_decoder_failure(const upare_png_decoder *decoder) {
    return decoder->failure;
}

int upare_png_read_header(upare_png_decoder *decoder, upare_decode_limits limits,
                          upare_png_header *header) {
    png_structp png = decoder->png;
    png_infop info = decoder->info;
    if (setjmp(png_jmpbuf(png))) return -1;

    if (decoder->size < 8 || png_sig_cmp(decoder->data, 0, 8) != 0) {
        decoder->failure = UPARE_FAILURE_UNSUPPORTED;
        copy_text(decoder->error, "not a PNG file (bad signature)");
        return -1;
    }
    // libpng refuses a larger IHDR itself, before any row memory exists.
    png_set_user_limits(png, limits.max_width, limits.max_height);
    png_set_chunk_malloc_max(png, 16u << 20);  // ancillary chunks (iCCP, text...)
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if ((uint64_t)width * height > limits.max_pixels) {
        decoder->failure = UPARE_FAILURE_LIMITS;
        copy_text(decoder->error, "image has more pixels than the decoder limit");
        return -1;
    }
    header->width = width;
    header->height = height;
    header->bit_depth = bit_depth;
    header->color_type = color_type;
    header->interlaced = interlace != PNG_INTERLACE_NONE;

    // Normalise everything to RGBA8: palette and low-bit gray expand, tRNS becomes
    // alpha, 16-bit samples are scaled with rounding, a missing alpha is filled opaque.
    png_set_expand(png);
    png_set_scale_16(png);
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
        png_set_gray_to_rgb(png);
    }
    png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 4) {
        decoder->failure = UPARE_FAILURE_UNSUPPORTED;
        copy_text(decoder->error, "PNG layout could not be converted to RGBA8");
        return -1;
    }
    return 0;
}

int upare_png_read_rgba(upare_png_decoder *decoder, uint8_t *pixels, size_t stride) {
    png_structp png = decoder->png;
    png_infop info = decoder->info;
    png_uint_32 height = png_get_image_height(png, info);
    // Allocated before setjmp and freed on both paths.
    png_bytep *rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!rows) {
        decoder->failure = UPARE_FAILURE_RESOURCES;
        copy_text(decoder->error, "out of memory");
        return -1;
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * stride;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        return -1;
    }
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    return 0;
}

// MARK: Encoding

typedef struct png_writer {
    upare_buffer *output;
    char *error_text;
} png_writer;

static void encoder_error(png_structp png, png_const_charp message) {
    png_writer *writer = png_get_error_ptr(png);
    copy_text(writer->error_text, message);
    png_longjmp(png, 1);
}

static void write_to_memory(png_structp png, png_bytep data, size_t length) {
    png_writer *writer = png_get_io_ptr(png);
    upare_buffer *out = writer->output;
    if (out->size + length > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 4096;
        while (capacity < out->size + length) capacity *= 2;
        uint8_t *grown = realloc(out->data, capacity);
        if (!grown) png_error(png, "out of memory");
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->size, data, length);
    out->size += length;
}

static void flush_nothing(png_structp png) { (void)png; }

int upare_png_encode(const upare_png_encode_params *params, const uint8_t *pixels,
                     size_t stride, upare_buffer *output, char *error_text) {
    png_writer writer = {output, error_text};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &writer, encoder_error,
                                              ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *rows = malloc(sizeof(png_bytep) * (params->height ? params->height : 1));
    // A packed palette needs its own row buffer, since libpng packs in place.
    uint8_t *packed = params->layout == UPARE_PNG_PALETTE && params->bit_depth < 8
                          ? malloc((size_t)params->width * params->height)
                          : NULL;
    int needs_packed = params->layout == UPARE_PNG_PALETTE && params->bit_depth < 8;
    if (!png || !info || !rows || (needs_packed && !packed)) {
        copy_text(error_text, "out of memory");
        free(rows);
        free(packed);
        png_destroy_write_struct(&png, info ? &info : NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(packed);
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_set_write_fn(png, &writer, write_to_memory, flush_nothing);

    int color_type;
    int bit_depth = 8;
    switch (params->layout) {
    case UPARE_PNG_GRAY: color_type = PNG_COLOR_TYPE_GRAY; break;
    case UPARE_PNG_GRAY_ALPHA: color_type = PNG_COLOR_TYPE_GRAY_ALPHA; break;
    case UPARE_PNG_RGB: color_type = PNG_COLOR_TYPE_RGB; break;
    case UPARE_PNG_RGBA: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
    case UPARE_PNG_PALETTE:
        color_type = PNG_COLOR_TYPE_PALETTE;
        bit_depth = params->bit_depth;
        break;
    default: png_error(png, "unknown PNG layout");
    }
    png_set_IHDR(png, info, params->width, params->height, bit_depth, color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (params->layout == UPARE_PNG_PALETTE) {
        png_color colors[256];
        int count = params->palette_count > 256 ? 256 : params->palette_count;
        for (int i = 0; i < count; i++) {
            colors[i].red = params->palette[i * 3];
            colors[i].green = params->palette[i * 3 + 1];
            colors[i].blue = params->palette[i * 3 + 2];
        }
        png_set_PLTE(png, info, colors, count);
        if (params->alpha_count > 0) {
            png_set_tRNS(png, info, params->palette_alpha,
                         params->alpha_count > count ? count : params->alpha_count, NULL);
        }
    }
    png_set_compression_level(png, params->compression_level);
    png_set_compression_strategy(png, params->strategy);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, params->filters);
    png_write_info(png, info);

    if (needs_packed) {
        // Pack indices into bytes of 8/bit_depth pixels, most significant first.
        size_t packed_stride = ((size_t)params->width * bit_depth + 7) / 8;
        int per_byte = 8 / bit_depth;
        for (uint32_t y = 0; y < params->height; y++) {
            const uint8_t *source = pixels + (size_t)y * stride;
            uint8_t *row = packed + (size_t)y * packed_stride;
            memset(row, 0, packed_stride);
            for (uint32_t x = 0; x < params->width; x++) {
                int shift = 8 - bit_depth * (int)(x % per_byte + 1);
                row[x / per_byte] |= (uint8_t)((source[x] & ((1 << bit_depth) - 1)) << shift);
            }
            rows[y] = row;
        }
    } else {
        for (uint32_t y = 0; y < params->height; y++) {
            rows[y] = (png_bytep)(pixels + (size_t)y * stride);
        }
    }
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    free(packed);
    png_destroy_write_struct(&png, &info);
    return 0;
}
