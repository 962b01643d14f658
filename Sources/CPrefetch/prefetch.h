#ifndef UPARE_PREFETCH_H
#define UPARE_PREFETCH_H

#include <stddef.h>

/* Asks the CPU to start loading `rows` rows of `bytes` bytes each, `stride`
 * bytes apart, into the cache: the block moves of a scramble read a block at
 * a random place of a picture larger than any cache, and know which one next.
 * Swift has no prefetch of its own; static inline, so the call vanishes. */
static inline void upare_prefetch_rows(const void *first, ptrdiff_t stride, int rows, ptrdiff_t bytes) {
    const char *row = (const char *)first;
    for (int r = 0; r < rows; r++, row += stride) {
        for (ptrdiff_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(row + offset);
        __builtin_prefetch(row + bytes - 1);
    }
}

#endif
