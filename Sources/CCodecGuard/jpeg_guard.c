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
    unsigned char *volatile flattened = NULL;
    install_error_handler(&error);
    cinfo.err = &error.manager;
    if (setjmp(error.jump)) {
        strncpy(error_text, error.text, UPARE_ERROR_TEXT_SIZE - 1);
        error_text[UPARE_ERROR_TEXT_SIZE - 1] = 0;
        jpeg_destroy_compress(&cinfo);
        free(memory);
        free(flattened);
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
    // RGBA rows with any transparency are composited over white into this
    // buffer; opaque rows (nearly always all of them) go to libjpeg as they are.
    // Checking row by row keeps the test in cache: no separate pass over the image.
    flattened = params->components == 4 ? malloc((size_t)params->width * 4) : NULL;
    if (params->components == 4 && !flattened) {
        set_failure(&error, UPARE_FAILURE_RESOURCES, "out of memory");
        longjmp(error.jump, 1);
    }
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        if (flattened) {
            unsigned char all = 0xFF;
            for (uint32_t x = 0; x < params->width; x++) all &= row[x * 4 + 3];
            if (all != 0xFF) {
                for (uint32_t x = 0; x < params->width; x++) {
                    unsigned a = row[x * 4 + 3];
                    for (int c = 0; c < 3; c++) {
                        flattened[x * 4 + c] = (unsigned char)((row[x * 4 + c] * a + 255 * (255 - a) + 127) / 255);
                    }
                    flattened[x * 4 + 3] = 255;
                }
                row = flattened;
            }
        }
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(flattened);
    output->data = memory;
    output->size = memory_size;
    output->capacity = memory_size;
    return 0;
}

// MARK: Lossless MCU permutation

static void mcu_geometry(j_decompress_ptr cinfo, upare_jpeg_mcu_grid *grid) {
    grid->width = cinfo->image_width;
    grid->height = cinfo->image_height;
    grid->mcu_width = (uint32_t)cinfo->max_h_samp_factor * DCTSIZE;
    grid->mcu_height = (uint32_t)cinfo->max_v_samp_factor * DCTSIZE;
    grid->mcus_across = (cinfo->image_width + grid->mcu_width - 1) / grid->mcu_width;
    grid->mcus_down = (cinfo->image_height + grid->mcu_height - 1) / grid->mcu_height;
    grid->progressive = cinfo->progressive_mode;
    grid->components = cinfo->num_components;
}

static void copy_error(char *destination, const char *text) {
    strncpy(destination, text, UPARE_ERROR_TEXT_SIZE - 1);
    destination[UPARE_ERROR_TEXT_SIZE - 1] = 0;
}

int upare_jpeg_read_mcu_grid(const uint8_t *data, size_t size, upare_decode_limits limits,
                             upare_jpeg_mcu_grid *grid, char *error_text) {
    struct jpeg_decompress_struct cinfo;
    guarded_error error;
    install_error_handler(&error);
    cinfo.err = &error.manager;
    if (setjmp(error.jump)) {
        copy_error(error_text, error.text);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width > limits.max_width || cinfo.image_height > limits.max_height ||
        (uint64_t)cinfo.image_width * cinfo.image_height > limits.max_pixels) {
        copy_error(error_text, "image dimensions exceed the decoder limit");
        jpeg_destroy_decompress(&cinfo);
        return -2;
    }
    mcu_geometry(&cinfo, grid);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

// Whether a saved marker is the one to drop: APPn with the given prefix.
static int is_dropped(jpeg_saved_marker_ptr marker, int drop_app, const uint8_t *prefix,
                      size_t prefix_length) {
    return drop_app >= 0 && marker->marker == JPEG_APP0 + drop_app &&
           marker->data_length >= prefix_length &&
           memcmp(marker->data, prefix, prefix_length) == 0;
}

// Block row `by` of MCU `mcu` in component `c`'s coefficient array.
static JBLOCKROW mcu_row(j_decompress_ptr cinfo, jvirt_barray_ptr *arrays, const upare_jpeg_mcu_grid *grid,
                         int c, uint32_t mcu, int by) {
    jpeg_component_info *comp = &cinfo->comp_info[c];
    uint32_t mx = mcu % grid->mcus_across, my = mcu / grid->mcus_across;
    JBLOCKARRAY rows = (*cinfo->mem->access_virt_barray)(
        (j_common_ptr)cinfo, arrays[c], (JDIMENSION)(my * comp->v_samp_factor + by), 1, TRUE);
    return rows[0] + mx * comp->h_samp_factor;
}

// Copies every block of MCU `mcu` into `blocks` (out != 0) or back from it.
static void copy_mcu(j_decompress_ptr cinfo, jvirt_barray_ptr *arrays, const upare_jpeg_mcu_grid *grid,
                     uint32_t mcu, JBLOCK *blocks, int out) {
    for (int c = 0; c < cinfo->num_components; c++) {
        int hs = cinfo->comp_info[c].h_samp_factor, vs = cinfo->comp_info[c].v_samp_factor;
        for (int by = 0; by < vs; by++) {
            JBLOCKROW row = mcu_row(cinfo, arrays, grid, c, mcu, by);
            if (out) memcpy(blocks, row, sizeof(JBLOCK) * (size_t)hs);
            else memcpy(row, blocks, sizeof(JBLOCK) * (size_t)hs);
            blocks += hs;
        }
    }
}

// MCU `to` takes the blocks of MCU `from`.
static void move_mcu(j_decompress_ptr cinfo, jvirt_barray_ptr *arrays, const upare_jpeg_mcu_grid *grid,
                     uint32_t from, uint32_t to) {
    for (int c = 0; c < cinfo->num_components; c++) {
        int hs = cinfo->comp_info[c].h_samp_factor, vs = cinfo->comp_info[c].v_samp_factor;
        for (int by = 0; by < vs; by++) {
            memcpy(mcu_row(cinfo, arrays, grid, c, to, by), mcu_row(cinfo, arrays, grid, c, from, by),
                   sizeof(JBLOCK) * (size_t)hs);
        }
    }
}

int upare_jpeg_permute_mcus(const uint8_t *data, size_t size, upare_decode_limits limits,
                            const uint32_t *source, size_t count,
                            int drop_app, const uint8_t *drop_prefix, size_t drop_prefix_length,
                            int insert_app, const uint8_t *insert_payload, size_t insert_length,
                            upare_buffer *output, char *error_text) {
    struct jpeg_decompress_struct in;
    struct jpeg_compress_struct out;
    struct jpeg_progress_mgr progress;
    // One error manager serves both objects: whichever fails, both are torn down.
    guarded_error in_error;
    // The caller's buffer, if any, is written first; libjpeg moves to memory of
    // its own only when the file outgrows it (and never frees the caller's).
    unsigned char *const given = output->data;
    unsigned char *memory = given;
    unsigned long memory_size = given ? (unsigned long)output->capacity : 0;
    volatile int created_out = 0;
    // Which MCUs are in place; freed on every path (an error longjmps here).
    unsigned char *volatile done = NULL;
    install_error_handler(&in_error);
    in.err = &in_error.manager;
    out.err = &in_error.manager;
    if (setjmp(in_error.jump)) goto failed;

    jpeg_create_decompress(&in);
    in.mem->max_memory_to_use = UPARE_JPEG_MAX_MEMORY;
    progress.progress_monitor = limit_scans;
    in.progress = &progress;
    jpeg_mem_src(&in, data, (unsigned long)size);
    jpeg_save_markers(&in, JPEG_COM, 0xFFFF);
    for (int m = 0; m < 16; m++) jpeg_save_markers(&in, JPEG_APP0 + m, 0xFFFF);
    jpeg_read_header(&in, TRUE);
    if (in.image_width > limits.max_width || in.image_height > limits.max_height ||
        (uint64_t)in.image_width * in.image_height > limits.max_pixels) {
        set_failure(&in_error, UPARE_FAILURE_LIMITS, "image dimensions exceed the decoder limit");
        goto failed;
    }
    upare_jpeg_mcu_grid grid;
    mcu_geometry(&in, &grid);
    if ((size_t)grid.mcus_across * grid.mcus_down != count) {
        set_failure(&in_error, UPARE_FAILURE_UNSUPPORTED, "the MCU map does not match the image");
        goto failed;
    }
    jvirt_barray_ptr *coefficients = jpeg_read_coefficients(&in);

    jpeg_create_compress(&out);
    created_out = 1;
    jpeg_copy_critical_parameters(&in, &out);
    if (in.progressive_mode) jpeg_simple_progression(&out);
    // The source's own JFIF/Adobe markers are copied below; do not write new ones.
    out.write_JFIF_header = FALSE;
    out.write_Adobe_marker = FALSE;
    jpeg_mem_dest(&out, &memory, &memory_size);

    // The MCUs are rearranged in place, in the source's own coefficient arrays:
    // each cycle of the permutation is followed with one MCU carried aside. A
    // second set of arrays (what jpegtran allocates) would be 36 MB more to
    // fault in and free for 12 megapixels. libjpeg-turbo keeps every virtual
    // array whole in memory (no backing store: it fails instead), so the row
    // pointers it returns stay valid across calls.
    done = calloc(count, 1);
    if (!done) {
        set_failure(&in_error, UPARE_FAILURE_RESOURCES, "out of memory");
        goto failed;
    }
    // Room for any MCU: a file whose scans are not interleaved may exceed
    // D_MAX_BLOCKS_IN_MCU summed over its components.
    JBLOCK carried[MAX_COMPONENTS * MAX_SAMP_FACTOR * MAX_SAMP_FACTOR];
    for (uint32_t start = 0; start < count; start++) {
        if (done[start]) continue;
        done[start] = 1;
        if (source[start] == start) continue;
        copy_mcu(&in, coefficients, &grid, start, carried, 1);
        uint32_t position = start;
        for (;;) {
            uint32_t from = source[position];
            if (from == start) {
                copy_mcu(&in, coefficients, &grid, position, carried, 0);
                break;
            }
            move_mcu(&in, coefficients, &grid, from, position);
            done[from] = 1;
            position = from;
        }
    }
    free(done);
    done = NULL;

    jpeg_write_coefficients(&out, coefficients);
    // The source's markers first (JFIF and EXIF expect to lead), then ours.
    for (jpeg_saved_marker_ptr marker = in.marker_list; marker; marker = marker->next) {
        if (is_dropped(marker, drop_app, drop_prefix, drop_prefix_length)) continue;
        jpeg_write_marker(&out, marker->marker, marker->data, marker->data_length);
    }
    if (insert_payload && insert_length > 0) {
        jpeg_write_marker(&out, JPEG_APP0 + insert_app, insert_payload, (unsigned int)insert_length);
    }
    jpeg_finish_compress(&out);
    jpeg_finish_decompress(&in);
    jpeg_destroy_compress(&out);
    jpeg_destroy_decompress(&in);
    output->data = memory;
    output->size = memory_size;
    if (memory != given) output->capacity = memory_size;
    return 0;

failed:
    copy_error(error_text, in_error.text);
    if (created_out) jpeg_destroy_compress(&out);
    jpeg_destroy_decompress(&in);
    free(done);
    if (memory != given) free(memory);
    return -1;
}
