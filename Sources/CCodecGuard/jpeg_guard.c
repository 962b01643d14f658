// Every libjpeg(-turbo) call in upare, each behind its own setjmp (see codec_guard.h).
#include "codec_guard.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

// A crafted progressive JPEG can hold thousands of tiny scans and burn CPU for
// minutes; libjpeg-turbo's own tools cap the scan count the same way.
#define UPARE_JPEG_MAX_SCANS 500
// Upper bound for libjpeg's working memory (coefficient buffers of progressive files).
#define UPARE_JPEG_MAX_MEMORY (1024L * 1024L * 1024L)

typedef struct guarded_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    upare_failure failure;
    char text[UPARE_ERROR_TEXT_SIZE];
} guarded_error;

static void fail_with_message(j_common_ptr cinfo) {
    guarded_error *error = (guarded_error *)cinfo->err;
    if (error->failure == UPARE_FAILURE_NONE) {
        char message[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, message);
        strncpy(error->text, message, UPARE_ERROR_TEXT_SIZE - 1);
        error->text[UPARE_ERROR_TEXT_SIZE - 1] = 0;
        error->failure = UPARE_FAILURE_CORRUPT;
    }
    longjmp(error->jump, 1);
}

// libjpeg reports recoverable corruption (premature end of data, bad Huffman
// codes, ...) as warnings and fills the rest with gray. Untrusted uploads must not
// decode to half an image silently, so a warning is an error here.
static void warning_is_error(j_common_ptr cinfo, int level) {
    if (level < 0) fail_with_message(cinfo);
}

static void install_error_handler(guarded_error *error) {
    jpeg_std_error(&error->manager);
    error->manager.error_exit = fail_with_message;
    error->manager.emit_message = warning_is_error;
    error->failure = UPARE_FAILURE_NONE;
    error->text[0] = 0;
}

static void set_failure(guarded_error *error, upare_failure failure, const char *text) {
    error->failure = failure;
    strncpy(error->text, text, UPARE_ERROR_TEXT_SIZE - 1);
    error->text[UPARE_ERROR_TEXT_SIZE - 1] = 0;
}

// MARK: Decoding

struct upare_jpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_progress_mgr progress;
    guarded_error error;
    int created;
};

static void limit_scans(j_common_ptr common) {
    j_decompress_ptr cinfo = (j_decompress_ptr)common;
    if (cinfo->is_decompressor && cinfo->input_scan_number > UPARE_JPEG_MAX_SCANS) {
        guarded_error *error = (guarded_error *)cinfo->err;
        set_failure(error, UPARE_FAILURE_LIMITS, "progressive JPEG has too many scans");
        longjmp(error->jump, 1);
    }
}

upare_jpeg_decoder *upare_jpeg_decoder_create(const uint8_t *data, size_t size) {
    upare_jpeg_decoder *decoder = calloc(1, sizeof *decoder);
    if (!decoder) return NULL;
    install_error_handler(&decoder->error);
    decoder->cinfo.err = &decoder->error.manager;
    if (setjmp(decoder->error.jump)) {
        upare_jpeg_decoder_destroy(decoder);
        return NULL;
    }
    jpeg_create_decompress(&decoder->cinfo);
    decoder->created = 1;
    decoder->cinfo.mem->max_memory_to_use = UPARE_JPEG_MAX_MEMORY;
    decoder->progress.progress_monitor = limit_scans;
    decoder->cinfo.progress = &decoder->progress;
    jpeg_mem_src(&decoder->cinfo, data, (unsigned long)size);
    return decoder;
}

void upare_jpeg_decoder_destroy(upare_jpeg_decoder *decoder) {
    if (!decoder) return;
    if (decoder->created) jpeg_destroy_decompress(&decoder->cinfo);
    free(decoder);
}

const char *upare_jpeg_decoder_error(const upare_jpeg_decoder *decoder) {
    return decoder->error.text;
}
upare_failure upare_jpeg_decoder_failure(const upare_jpeg_decoder *decoder) {
    return decoder->error.failure;
}

int upare_jpeg_read_header(upare_jpeg_decoder *decoder, upare_decode_limits limits,
                           upare_jpeg_header *header) {
    j_decompress_ptr cinfo = &decoder->cinfo;
    if (setjmp(decoder->error.jump)) return -1;
    jpeg_read_header(cinfo, TRUE);
    if (cinfo->image_width > limits.max_width || cinfo->image_height > limits.max_height ||
        (uint64_t)cinfo->image_width * cinfo->image_height > limits.max_pixels) {
        set_failure(&decoder->error, UPARE_FAILURE_LIMITS,
                    "image dimensions exceed the decoder limit");
        return -1;
    }
    header->width = cinfo->image_width;
    header->height = cinfo->image_height;
    header->components = cinfo->num_components;
    header->color_space = cinfo->jpeg_color_space;
    header->progressive = cinfo->progressive_mode;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        set_failure(&decoder->error, UPARE_FAILURE_UNSUPPORTED,
                    "CMYK JPEG is not supported; convert it to RGB first");
        return -1;
    default:
        set_failure(&decoder->error, UPARE_FAILURE_UNSUPPORTED,
                    "JPEG colour space is not supported");
        return -1;
    }
    cinfo->out_color_space = JCS_EXT_RGBA;
    cinfo->dct_method = JDCT_ISLOW;
    return 0;
}

int upare_jpeg_read_rgba(upare_jpeg_decoder *decoder, uint8_t *pixels, size_t stride) {
    j_decompress_ptr cinfo = &decoder->cinfo;
    if (setjmp(decoder->error.jump)) return -1;
    jpeg_start_decompress(cinfo);
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = pixels + (size_t)cinfo->output_scanline * stride;
        jpeg_read_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_decompress(cinfo);
    return 0;
}

// MARK: Encoding

int upare_jpeg_encode(const upare_jpeg_encode_params *params, const uint8_t *pixels,
                      size_t stride, upare_buffer *output, char *error_text) {
    struct jpeg_compress_struct cinfo;
    guarded_error error;
    // libjpeg owns this buffer until jpeg_destroy_compress; jpeg_mem_dest mallocs it.
    // Both live in memory (their addresses are taken), so they survive the longjmp.
    unsigned char *memory = NULL;
    unsigned long memory_size = 0;
    install_error_handler(&error);
    cinfo.err = &error.manager;
    if (setjmp(error.jump)) {
        strncpy(error_text, error.text, UPARE_ERROR_TEXT_SIZE - 1);
        error_text[UPARE_ERROR_TEXT_SIZE - 1] = 0;
        jpeg_destroy_compress(&cinfo);
        free(memory);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &memory, &memory_size);
    cinfo.image_width = params->width;
    cinfo.image_height = params->height;
    switch (params->components) {
    case 1:
        cinfo.input_components = 1;
        cinfo.in_color_space = JCS_GRAYSCALE;
        break;
    case 3:
        cinfo.input_components = 3;
        cinfo.in_color_space = JCS_RGB;
        break;
    default:
        cinfo.input_components = 4;
        cinfo.in_color_space = JCS_EXT_RGBX;
        break;
    }
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, params->quality, TRUE);
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.optimize_coding = params->optimize_coding ? TRUE : FALSE;
    if (cinfo.num_components == 3) {
        int factor = params->subsampling == 420 ? 2 : 1;
        cinfo.comp_info[0].h_samp_factor = factor;
        cinfo.comp_info[0].v_samp_factor = factor;
        cinfo.comp_info[1].h_samp_factor = 1;
        cinfo.comp_info[1].v_samp_factor = 1;
        cinfo.comp_info[2].h_samp_factor = 1;
        cinfo.comp_info[2].v_samp_factor = 1;
    }
    if (params->progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    output->data = memory;
    output->size = memory_size;
    output->capacity = memory_size;
    return 0;
}
