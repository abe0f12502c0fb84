#ifndef FAIRFLOW_COPENBLAS_SHIM_H
#define FAIRFLOW_COPENBLAS_SHIM_H
// OpenBLAS's CBLAS (Debian libopenblas-dev; pkg-config openblas).
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
