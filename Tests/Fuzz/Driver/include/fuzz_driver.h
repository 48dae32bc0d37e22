#ifndef KMIPD_FUZZ_DRIVER_H
#define KMIPD_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>
/* Runs libFuzzer with `callback` when the binary was linked with -sanitize=fuzzer (libFuzzer's
 * LLVMFuzzerRunDriver, for programs with their own main); returns -1 when it was not. */
int kmipd_run_fuzzer(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t));
#endif
