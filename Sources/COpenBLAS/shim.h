#ifndef FAIRFLOW_COPENBLAS_SHIM_H
#define FAIRFLOW_COPENBLAS_SHIM_H
// OpenBLAS's CBLAS (Debian libopenblas-dev; pkg-config openblas).
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// Ends OpenBLAS's worker threads (what its fork handler does); the next threaded BLAS call
// starts them again. Exported by every OpenBLAS pthread build.
void blas_thread_shutdown_(void);
#endif
